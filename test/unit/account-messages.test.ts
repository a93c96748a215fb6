import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { describe, expect, it } from 'vitest';
import { passwordChangedMessage, passwordFormError } from '../../examples/react-device-manager/src/account-messages';

/** What the React example's password forms say: the outcome of changePassword, and their errors inline. */
describe('the change-password outcome of the React example', () => {
  it.each([
    [2, true, 'Password changed. 2 other devices were signed out.'],
    [1, true, 'Password changed. 1 other device was signed out.'],
    [0, true, 'Password changed. No other device was signed in.'],
    [0, false, 'Password changed. Your other devices stay signed in.'],
  ] as const)('%i revoked, logoutOtherDevices %s: %j', (count, logoutOtherDevices, message) => {
    expect(passwordChangedMessage(count, logoutOtherDevices)).toBe(message);
  });
});

describe('the errors of the password forms of the React example', () => {
  const wrongPassword = { message: 'Your current password is incorrect.', field: 'currentPassword' };
  const answer = (extensions: Record<string, unknown>, message = 'x') =>
    new CombinedGraphQLErrors({ data: null, errors: [{ message, extensions }] });

  it('says a wrong password (INVALID_CREDENTIALS, HTTP 200) about the form\'s password field, not "email or password"', () => {
    const error = answer({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' }, 'Incorrect email or password.');
    expect(passwordFormError(error, wrongPassword)).toEqual(wrongPassword);
  });

  it("shows a BAD_USER_INPUT as the server words it, on the field it names", () => {
    const error = answer({ code: 'BAD_USER_INPUT', field: 'newPassword' }, 'Password must be at least 8 characters.');
    expect(passwordFormError(error, wrongPassword)).toEqual({ message: 'Password must be at least 8 characters.', field: 'newPassword' });
  });

  it('reads any other error as the rest of the app does', () => {
    expect(passwordFormError(answer({ code: 'TOO_MANY_REQUESTS', retryAfter: 60 }), wrongPassword)).toEqual({
      message: 'Too many attempts. Try again in a minute.',
    });
    expect(passwordFormError(new TypeError('Failed to fetch'), wrongPassword).message).toMatch(/^Could not reach the server/);
  });
});
