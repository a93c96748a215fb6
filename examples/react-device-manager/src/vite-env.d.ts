interface ImportMetaEnv {
  /** The GraphQL endpoint; '/graphql' (same origin) when unset. */
  readonly VITE_GRAPHQL_URL?: string;
}
