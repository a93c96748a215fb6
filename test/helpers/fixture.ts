import { afterAll, beforeAll } from 'vitest';
import type { RunningServer } from '../../src/app';
import { GraphQLClient } from './graphql-client';
import { TcpProxy } from './tcp-proxy';
import { createTestDatabase, type TestDatabase } from './test-database';
import { startTestServer } from './test-server';

export interface ServerFixture {
  db: TestDatabase;
  server: RunningServer;
  api: GraphQLClient;
}

/** A fresh database and a server on it for the calling test file, torn down after it. */
export function useTestServer(env: Record<string, string> = {}): ServerFixture {
  const fixture = {} as ServerFixture;
  beforeAll(async () => {
    fixture.db = await createTestDatabase();
    fixture.server = await startTestServer(fixture.db.url, env);
    fixture.api = new GraphQLClient(fixture.server.url);
  });
  afterAll(async () => {
    await fixture.server?.stop();
    await fixture.db?.drop();
  });
  return fixture;
}

/**
 * A server of its own configuration for the calling describe, on the database of `base` (the
 * file's useTestServer, declared at the top of the file so that it is up first): one database to
 * create and migrate per file, however many configurations it tries. Stopped after the describe.
 */
export function useTestServerOn(base: ServerFixture, env: Record<string, string>): ServerFixture {
  const fixture = {} as ServerFixture;
  beforeAll(async () => {
    if (!base.db) throw new Error('useTestServerOn: the base fixture has no database yet; declare it at the top of the file');
    fixture.db = base.db;
    fixture.server = await startTestServer(base.db.url, env);
    fixture.api = new GraphQLClient(fixture.server.url);
  });
  afterAll(async () => {
    await fixture.server?.stop();
  });
  return fixture;
}

export interface ProxiedServerFixture extends ServerFixture {
  /** Between the server and its database: the tests cut, freeze, hold and restore it. */
  proxy: TcpProxy;
}

/** A fresh database and a server that reaches it only through a TCP proxy, for the calling test file. */
export function useProxiedTestServer(env: Record<string, string> = {}): ProxiedServerFixture {
  const fixture = {} as ProxiedServerFixture;
  beforeAll(async () => {
    fixture.db = await createTestDatabase();
    fixture.proxy = await TcpProxy.inFrontOf(fixture.db.url);
    fixture.server = await startTestServer(fixture.proxy.proxiedUrl(fixture.db.url), env);
    fixture.api = new GraphQLClient(fixture.server.url);
  });
  afterAll(async () => {
    fixture.proxy?.release();
    await fixture.server?.stop();
    await fixture.proxy?.cut();
    await fixture.db?.drop();
  });
  return fixture;
}

export const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0';
export const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
export const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
