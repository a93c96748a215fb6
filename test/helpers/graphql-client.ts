export interface GraphQLErrorBody {
  message: string;
  path?: string[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  data?: Data | null;
  errors?: GraphQLErrorBody[];
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  token?: string;
  headers?: Record<string, string>;
}

/** A GraphQL client as an app would use it: POST /graphql with JSON, token in Authorization. */
export class GraphQLClient {
  constructor(
    readonly url: string,
    private readonly defaults: { token?: string; headers?: Record<string, string> } = {},
  ) {}

  withToken(token: string): GraphQLClient {
    return new GraphQLClient(this.url, { ...this.defaults, token });
  }

  withHeaders(headers: Record<string, string>): GraphQLClient {
    return new GraphQLClient(this.url, { ...this.defaults, headers: { ...this.defaults.headers, ...headers } });
  }

  async request<Data = Record<string, any>>(query: string, options: RequestOptions = {}): Promise<GraphQLResponse<Data>> {
    const token = options.token ?? this.defaults.token;
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...this.defaults.headers,
        ...options.headers,
      },
      body: JSON.stringify({ query, variables: options.variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse<Data>, 'status'>;
    return { status: response.status, ...body };
  }

  /** Like `request`, but fails the test unless the response is a 200 without errors. */
  async ok<Data = Record<string, any>>(query: string, options: RequestOptions = {}): Promise<Data> {
    const response = await this.request<Data>(query, options);
    if (response.status !== 200 || response.errors || !response.data) {
      throw new Error(`Expected success, got HTTP ${response.status}: ${JSON.stringify(response.errors)}`);
    }
    return response.data;
  }
}

export function errorCodes(response: GraphQLResponse<unknown>): Array<string | undefined> {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}
