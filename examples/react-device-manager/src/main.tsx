import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApolloClient } from './apollo-client';
import { App } from './App';
import { session } from './session';
import './styles.css';

// Same origin by default: the Vite dev server proxies /graphql to the API.
const GRAPHQL_URL = import.meta.env.VITE_GRAPHQL_URL ?? '/graphql';

const client = createApolloClient(session, GRAPHQL_URL);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={client}>
      <App />
    </ApolloProvider>
  </StrictMode>,
);
