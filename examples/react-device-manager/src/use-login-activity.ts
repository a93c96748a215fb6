import { useApolloClient, useSubscription } from '@apollo/client/react';
import { useCallback, useEffect } from 'react';
import { LoginActivityDocument, MyLoginsDocument, MySecurityEventsDocument } from '../../../sdk/generated/graphql';
import { session } from './session';
import type { SocketStatus } from './session-socket';
import { useSocketStatus } from './session-socket-context';
import { sessionEndOfRevoked } from './signed-out-notice';

/** The socket's status, or `stopped` once the subscription has failed for good (graphql-ws gave up). */
export type LiveState = SocketStatus | 'stopped';

/**
 * Keeps the device list and the security log live. A login or a revocation elsewhere refetches
 * `myLogins` and `mySecurityEvents` (the log has no events of its own on the socket); so does every
 * (re)connection of the socket, because events sent while it was down are lost, and because the
 * list may have been loaded before the subscription started. The REVOKED event of this device's own
 * login signs this tab out at once (the server closes the socket with 4401 right after, which would too).
 */
export function useLoginActivity(token: string): LiveState {
  const client = useApolloClient();
  const status = useSocketStatus();

  const refetchLists = useCallback(() => {
    // A failed refetch shows on its query (and a 401 signs out): nothing to add here.
    client.refetchQueries({ include: [MyLoginsDocument, MySecurityEventsDocument] }).catch(() => {});
  }, [client]);

  useEffect(() => {
    if (status === 'connected') refetchLists();
  }, [status, refetchLists]);

  const { error } = useSubscription(LoginActivityDocument, {
    // The events are signals to refetch, not data for the cache: the lists show what the server returns.
    fetchPolicy: 'no-cache',
    onData: ({ data }) => {
      const event = data.data?.loginActivity;
      if (!event) return;
      if (event.kind === 'REVOKED' && event.login.current) session.loginEnded(token, sessionEndOfRevoked(event.login));
      else refetchLists();
    },
  });

  return error ? 'stopped' : status;
}
