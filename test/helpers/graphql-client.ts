import http from 'node:http';

/** fetch cannot choose the local address of its connection; node:http can. */
function postFrom(localAddress: string, url: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers, localAddress, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

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
    private readonly defaults: { token?: string; headers?: Record<string, string>; localAddress?: string } = {},
  ) {}

  withToken(token: string): GraphQLClient {
    return new GraphQLClient(this.url, { ...this.defaults, token });
  }

  /** Connects from another loopback address (any 127.x.y.z), so the server sees another client IP. */
  fromIp(localAddress: string): GraphQLClient {
    return new GraphQLClient(this.url, { ...this.defaults, localAddress });
  }

  withHeaders(headers: Record<string, string>): GraphQLClient {
    return new GraphQLClient(this.url, { ...this.defaults, headers: { ...this.defaults.headers, ...headers } });
  }

  async request<Data = Record<string, any>>(query: string, options: RequestOptions = {}): Promise<GraphQLResponse<Data>> {
    const token = options.token ?? this.defaults.token;
    const headers = {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...this.defaults.headers,
      ...options.headers,
    };
    const payload = JSON.stringify({ query, variables: options.variables });
    const { status, text } = this.defaults.localAddress
      ? await postFrom(this.defaults.localAddress, this.url, headers, payload)
      : await fetch(this.url, { method: 'POST', headers, body: payload }).then(async (response) => ({
          status: response.status,
          text: await response.text(),
        }));
    return { status, ...(JSON.parse(text) as Omit<GraphQLResponse<Data>, 'status'>) };
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
