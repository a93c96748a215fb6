import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';

function prettyLogger() {
  const written: string[] = [];
  const logger = createLogger({ logLevel: 'info', logFormat: 'pretty' }, { write: (line: string) => void written.push(line) });
  return { logger, written };
}

describe('LOG_FORMAT=pretty', () => {
  it('writes each line before the logging call returns, so process.exit right after loses nothing', () => {
    const { logger, written } = prettyLogger();
    logger.info('stopped');
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: stopped\n$/);
  });

  it('shows a request line as method, path, status and duration, then its other fields on the same line', () => {
    const { logger, written } = prettyLogger();
    const request = { reqId: 'r-1', method: 'POST', path: '/graphql', status: 401, durationMs: 3 };
    logger.info(request, 'request completed');
    logger.error({ ...request, status: 503 }, 'request failed');
    expect(written[0]).toMatch(/INFO: POST \/graphql 401 3ms \{"reqId":"r-1"\}\n$/);
    expect(written[1]).toMatch(/ERROR: POST \/graphql 503 3ms \(request failed\) \{"reqId":"r-1"\}\n$/);
  });

  it('keeps the redaction of the JSON format', () => {
    const { logger, written } = prettyLogger();
    logger.info({ password: 'correct horse battery' }, 'oops');
    expect(written.join('')).not.toContain('correct horse battery');
  });
});
