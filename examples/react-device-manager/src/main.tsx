import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApolloClient } from './apollo-client';
import { App } from './App';
import { session } from './session';
import { SessionSocket, webSocketUrlOf } from './session-socket';
import { SessionSocketContext } from './session-socket-context';
import './styles.css';

// Same origin by default: the Vite dev server proxies /graphql (HTTP and WebSocket) to the API.
const GRAPHQL_URL = import.meta.env.VITE_GRAPHQL_URL ?? '/graphql';

const socket = new SessionSocket(session, webSocketUrlOf(GRAPHQL_URL, window.location.href));
const client = createApolloClient(session, GRAPHQL_URL, socket.link);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={client}>
      <SessionSocketContext value={socket}>
        <App />
      </SessionSocketContext>
    </ApolloProvider>
  </StrictMode>,
);
