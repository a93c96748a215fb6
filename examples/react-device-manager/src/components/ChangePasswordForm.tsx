import { useMutation } from '@apollo/client/react';
import { useId, useState, type FormEvent } from 'react';
import { ChangePasswordDocument, MyLoginsDocument, MySecurityEventsDocument } from '../../../../sdk/generated/graphql';
import { passwordChangedMessage, passwordFormError } from '../account-messages';
import type { ReadableError } from '../graphql-errors';

const WRONG_CURRENT_PASSWORD = { message: 'Your current password is incorrect.', field: 'currentPassword' } as const;

/**
 * Changes the password over HTTP (`changePassword`), logging the other devices out unless the box
 * is unchecked. This login stays valid; the other devices learn it over their sockets.
 */
export function ChangePasswordForm() {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [logoutOtherDevices, setLogoutOtherDevices] = useState(true);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<ReadableError | null>(null);
  // The list loses the devices that were signed out, and the log gains the change and those
  // sign-outs: both fetched again, as after the other buttons.
  const [changePassword, { loading }] = useMutation(ChangePasswordDocument, {
    refetchQueries: [MyLoginsDocument, MySecurityEventsDocument],
  });
  const errorId = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setStatus(null);
    setError(null);
    try {
      const { data } = await changePassword({ variables: { input: { currentPassword, newPassword, logoutOtherDevices } } });
      if (!data) return;
      setCurrentPassword('');
      setNewPassword('');
      setStatus(passwordChangedMessage(data.changePassword, logoutOtherDevices));
    } catch (caught) {
      setError(passwordFormError(caught, WRONG_CURRENT_PASSWORD));
    }
  }

  const invalid = (field: string) => (error?.field === field ? { 'aria-invalid': true, 'aria-describedby': errorId } : {});

  return (
    <section className="card account" aria-labelledby="change-password-title">
      <h2 id="change-password-title">Change password</h2>
      <form className="field-form" onSubmit={submit} noValidate>
        <label htmlFor="current-password">Current password</label>
        <input
          id="current-password"
          type="password"
          autoComplete="current-password"
          required
          value={currentPassword}
          onChange={(event) => setCurrentPassword(event.target.value)}
          {...invalid('currentPassword')}
        />
        <label htmlFor="new-password">New password</label>
        <input
          id="new-password"
          type="password"
          autoComplete="new-password"
          required
          value={newPassword}
          onChange={(event) => setNewPassword(event.target.value)}
          {...invalid('newPassword')}
        />
        <p className="hint">At least 8 characters.</p>
        <label className="checkbox">
          <input type="checkbox" checked={logoutOtherDevices} onChange={(event) => setLogoutOtherDevices(event.target.checked)} />
          Log out my other devices
        </label>
        {status && (
          <p className="status" role="status">
            {status}
          </p>
        )}
        {error && (
          <p id={errorId} className="error" role="alert">
            {error.message}
          </p>
        )}
        <button type="submit" className="primary" disabled={loading}>
          {loading ? 'Please wait…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
