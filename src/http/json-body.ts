import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { HttpError } from './http-errors';

/** The one content type clients send nearly always: read here; anything else goes to body-parser. */
const PLAIN_JSON = /^application\/json(?:\s*;\s*charset="?utf-8"?)?\s*$/i;

/** body-parser's `strict` rule: a JSON body must be an object or an array. */
const FIRST_CHARACTER = /^[\x20\x09\x0a\x0d]*(.)/;

function bodyError(type: 'entity.too.large' | 'entity.parse.failed', status: number): HttpError {
  return Object.assign(new Error(type), { type, status });
}

/** type-is' rule, which body-parser follows: "Content-Length: 0" is a body, an empty one. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']));
}

/**
 * An uncompressed UTF-8 JSON body, read as body-parser would read it (the same limit, the same
 * strictness, a byte-order mark dropped) without its per-request machinery.
 */
function readPlainJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return reject(bodyError('entity.too.large', 413));
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        done();
        reject(bodyError('entity.too.large', 413));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      let text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)).toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.length === 0) return resolve({});
      const first = FIRST_CHARACTER.exec(text)?.[1];
      if (first !== '{' && first !== '[') return reject(bodyError('entity.parse.failed', 400));
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(bodyError('entity.parse.failed', 400));
      }
    };
    // The client went away: nobody is left to answer.
    const onGone = () => {
      done();
      resolve(undefined);
    };
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onGone);
      req.off('error', onGone);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onGone);
    req.on('error', onGone);
  });
}

/**
 * Reads a request's JSON body (undefined when it has none, or not of a JSON type), or throws an
 * HttpError that http-errors.ts turns into the contract's answer. Compressed bodies, other
 * charsets and the rarer JSON types are body-parser's, as before: the same answers in every case.
 */
export function jsonBodyReader(limit: number) {
  const bodyParser = express.json({ limit });
  return async (req: IncomingMessage, res: ServerResponse): Promise<unknown> => {
    if (!hasBody(req)) return undefined;
    const type = req.headers['content-type'];
    if (type !== undefined && PLAIN_JSON.test(type) && req.headers['content-encoding'] === undefined) {
      return readPlainJson(req, limit);
    }
    const parsed = req as IncomingMessage & { body?: unknown };
    await new Promise<void>((resolve, reject) => bodyParser(parsed as express.Request, res as express.Response, (error?: unknown) => (error ? reject(error) : resolve())));
    return parsed.body;
  };
}
