import { useMutation } from '@apollo/client/react';
import { useId, useState, type FormEvent } from 'react';
import { DeleteAccountDocument } from '../../../../sdk/generated/graphql';
import { passwordFormError } from '../account-messages';
import type { ReadableError } from '../graphql-errors';
import { session } from '../session';

const WRONG_PASSWORD = { message: 'Your password is incorrect.', field: 'password' } as const;

/**
 * Deletes the account (`deleteAccount`), confirmed with the password. The server closes this tab's
 * socket with 4401 as it deletes the logins, possibly before the answer: `session.leave` keeps that
 * from reading as "signed out on this device".
 */
export function DeleteAccountForm({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ReadableError | null>(null);
  const [deleteAccount, { loading }] = useMutation(DeleteAccountDocument);
  const errorId = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    try {
      await session.leave(token, 'Your account was deleted.', () => deleteAccount({ variables: { password } }));
    } catch (caught) {
      setError(passwordFormError(caught, WRONG_PASSWORD));
    }
  }

  return (
    <section className="card account" aria-labelledby="delete-account-title">
      <h2 id="delete-account-title">Delete account</h2>
      <p className="muted">Your account and every device's session end at once. This cannot be undone.</p>
      <form className="field-form" onSubmit={submit} noValidate>
        <label htmlFor="delete-account-password">Your password</label>
        <input
          id="delete-account-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          {...(error?.field === 'password' ? { 'aria-invalid': true, 'aria-describedby': errorId } : {})}
        />
        {error && (
          <p id={errorId} className="error" role="alert">
            {error.message}
          </p>
        )}
        <button type="submit" className="danger" disabled={loading}>
          {loading ? 'Please wait…' : 'Delete account'}
        </button>
      </form>
    </section>
  );
}
