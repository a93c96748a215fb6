import { createContext, use, useSyncExternalStore } from 'react';
import type { SessionSocket, SocketStatus } from './session-socket';

/** The app's one SessionSocket (created in main.tsx, next to the Apollo Client that uses its link). */
export const SessionSocketContext = createContext<SessionSocket | null>(null);

export function useSocketStatus(): SocketStatus {
  const socket = use(SessionSocketContext);
  if (socket === null) throw new Error('useSocketStatus needs a SessionSocketContext provider.');
  return useSyncExternalStore(socket.subscribeStatus, socket.getStatus);
}
