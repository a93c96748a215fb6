import { useApolloClient, useMutation } from '@apollo/client/react';
import { useId, useState, type FormEvent } from 'react';
import { LoginDocument, RegisterDocument } from '../../../../sdk/generated/graphql';
import { readableError, type ReadableError } from '../graphql-errors';
import { session } from '../session';
import { Notice } from './Notice';

type Mode = 'login' | 'register';

const COPY = {
  login: { title: 'Sign in', submit: 'Sign in', switchPrompt: 'New here?', switchTo: 'Create an account' },
  register: { title: 'Create an account', submit: 'Create account', switchPrompt: 'Already have an account?', switchTo: 'Sign in instead' },
} as const;

export function SignInForm({ notice }: { notice: string | null }) {
  const client = useApolloClient();
  const [mode, setMode] = useState<Mode>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ReadableError | null>(null);
  const [register, registering] = useMutation(RegisterDocument);
  const [login, loggingIn] = useMutation(LoginDocument);
  const busy = registering.loading || loggingIn.loading;
  const errorId = useId();
  const copy = COPY[mode];

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const variables = { input: { email, password } };
    try {
      const result = mode === 'register' ? (await register({ variables })).data?.register : (await login({ variables })).data?.login;
      if (!result) return;
      // The cache may still hold what a previous user of this tab saw.
      await client.clearStore();
      session.start(result.token);
    } catch (caught) {
      setError(readableError(caught));
    }
  }

  function switchMode() {
    setMode(mode === 'login' ? 'register' : 'login');
    setError(null);
  }

  const invalid = (field: string) => (error?.field === field ? { 'aria-invalid': true, 'aria-describedby': errorId } : {});

  return (
    <section className="card sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{copy.title}</h1>
      {notice && <Notice onDismiss={() => session.dismissNotice()}>{notice}</Notice>}
      <form className="field-form" onSubmit={submit} noValidate>
        <label htmlFor="email">Email</label>
        <input
          id="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          {...invalid('email')}
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete={mode === 'register' ? 'new-password' : 'current-password'}
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          {...invalid('password')}
        />
        {mode === 'register' && <p className="hint">At least 8 characters.</p>}
        {error && (
          <p id={errorId} className="error" role="alert">
            {error.message}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Please wait…' : copy.submit}
        </button>
      </form>
      <p className="switch-mode">
        {copy.switchPrompt}{' '}
        <button type="button" className="link" onClick={switchMode}>
          {copy.switchTo}
        </button>
      </p>
    </section>
  );
}
