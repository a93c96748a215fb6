import { useApolloClient } from '@apollo/client/react';
import { useEffect } from 'react';
import { DeviceManager } from './components/DeviceManager';
import { SignInForm } from './components/SignInForm';
import { useSession } from './session';

export function App() {
  const { token, notice } = useSession();
  const client = useApolloClient();

  // Signed out (by a button or by the server): nothing of the previous user may stay in the cache.
  // Cleared after the render that unmounted the queries, so none of them refetches into it.
  useEffect(() => {
    if (token === null) void client.clearStore();
  }, [client, token]);

  return (
    <main className="page">
      {token === null ? <SignInForm notice={notice} /> : <DeviceManager token={token} />}
    </main>
  );
}
