import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';

/** A JSON logger at `info` whose lines the test reads back: `text()` as written, `lines()` parsed. */
export function capturedLogs<Line = Record<string, unknown>>(): { logger: Logger; text(): string; lines(): Line[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const text = () => chunks.join('');
  return {
    logger: createLogger(loadConfig({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }), destination),
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Line),
  };
}
