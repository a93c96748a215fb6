import { unauthenticatedReason } from '../../../sdk/errors';
import { graphQLErrorsOf, readableError, type ReadableError } from './graphql-errors';
import { plural } from './plural';

/** What the change-password form says once the server has changed the password. */
export function passwordChangedMessage(signedOut: number, logoutOtherDevices: boolean): string {
  if (!logoutOtherDevices) return 'Password changed. Your other devices stay signed in.';
  if (signedOut === 0) return 'Password changed. No other device was signed in.';
  return `Password changed. ${plural(signedOut, 'other device')} ${signedOut === 1 ? 'was' : 'were'} signed out.`;
}

/**
 * An error of a form confirmed with the password (change it, delete the account). A wrong password
 * is UNAUTHENTICATED with HTTP 200 (INVALID_CREDENTIALS), which leaves the session alone; its message
 * is the sign-in form's "Incorrect email or password.", but these forms have no email field, so
 * `wrongPassword` says it about theirs. Anything else reads as everywhere (BAD_USER_INPUT names its field).
 */
export function passwordFormError(error: unknown, wrongPassword: Required<ReadableError>): ReadableError {
  return unauthenticatedReason(graphQLErrorsOf(error)) === 'INVALID_CREDENTIALS' ? wrongPassword : readableError(error);
}
