import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsConfig } from '../config';
import type { Logger } from '../logger';
import type { PrometheusMetrics } from './prometheus-metrics';

export const METRICS_PATH = '/metrics';

export interface MetricsServer {
  /** Where the metrics are scraped, e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  /** Stops listening and drops open scrape connections (Prometheus keeps them alive). */
  close(): Promise<void>;
}

function answer(res: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}

/**
 * GET /metrics on a node:http listener of its own (METRICS_HOST:METRICS_PORT), never the public
 * port: the metrics say how busy the server is and need no token, so they stay on an address
 * only the scraper reaches. Every other path is 404.
 */
export async function startMetricsServer(
  metrics: Pick<PrometheusMetrics, 'scrape' | 'contentType'>,
  { port, host }: MetricsConfig,
  logger: Logger,
): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== METRICS_PATH) return answer(res, 404, 'Not found: the metrics are at /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, 'Method not allowed\n', { allow: 'GET, HEAD' });
    metrics.scrape().then(
      // Node leaves the body out of a HEAD answer by itself.
      (text) => answer(res, 200, text, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }),
      (error: unknown) => {
        logger.error({ err: error }, 'could not collect the metrics');
        answer(res, 500, 'Could not collect the metrics\n');
      },
    );
  });

  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}${METRICS_PATH}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
