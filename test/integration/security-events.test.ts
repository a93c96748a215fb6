import { describe, expect, it } from 'vitest';
import { CHROME_MAC, FIREFOX_LINUX, SAFARI_IPHONE, useTestServer } from '../helpers/fixture';
import type { GraphQLClient } from '../helpers/graphql-client';
import { LOGIN, LOGOUT_DEVICE, PASSWORD, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { startTestServer } from '../helpers/test-server';

/** Issue 15: the security log (mySecurityEvents), a Relay connection, newest first, of the caller only. */
const t = useTestServer({ RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: '2' });

const EVENTS = `query Events($first: Int!, $after: String) {
  mySecurityEvents(first: $first, after: $after) {
    edges { cursor node { id kind at ipAddress userAgent device revokedReason login { id device } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CHANGE_PASSWORD = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }`;

interface EventNode {
  id: string;
  kind: string;
  at: string;
  ipAddress: string;
  userAgent: string;
  device: string;
  revokedReason: string | null;
  login: { id: string; device: string } | null;
}
interface EventsPage {
  mySecurityEvents: { edges: Array<{ cursor: string; node: EventNode }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const onDevice = (api: GraphQLClient, agent: string) => api.withHeaders({ 'user-agent': agent });

async function allEvents(api: GraphQLClient, first: number): Promise<{ nodes: EventNode[]; pages: number }> {
  const nodes: EventNode[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const { mySecurityEvents: page }: EventsPage = await api.ok<EventsPage>(EVENTS, { variables: { first, after } });
    pages += 1;
    nodes.push(...page.edges.map((edge) => edge.node));
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    if (!page.pageInfo.hasNextPage) return { nodes, pages };
    after = page.pageInfo.endCursor;
  }
}

describe('mySecurityEvents', () => {
  it('records each kind once, newest first, across pages without gaps or duplicates, and only the caller’s', async () => {
    const email = uniqueEmail('log');
    const a = await registerUser(onDevice(t.api, FIREFOX_LINUX), email);
    const stranger = await registerUser(t.api, uniqueEmail('stranger'));
    const b = await logInUser(onDevice(t.api, CHROME_MAC), email);
    await onDevice(t.api, FIREFOX_LINUX).withToken(a.token).ok(LOGOUT_DEVICE, { variables: { loginId: b.login.id } });
    await onDevice(t.api, FIREFOX_LINUX)
      .withToken(a.token)
      .ok(CHANGE_PASSWORD, { variables: { input: { currentPassword: PASSWORD, newPassword: 'another good password', logoutOtherDevices: true } } });
    // Two wrong passwords (the limit is 2), then one the limit refuses.
    for (let attempt = 0; attempt < 3; attempt++) {
      await onDevice(t.api, SAFARI_IPHONE).request(LOGIN, { variables: { input: { email, password: 'wrong password!' } } });
    }
    // An unknown email records nothing, anywhere.
    await t.api.request(LOGIN, { variables: { input: { email: uniqueEmail('nobody'), password: 'wrong password!' } } });

    const api = t.api.withToken(a.token);
    const whole = await allEvents(api, 100);
    expect(whole.nodes.map((node) => [node.kind, node.device, node.revokedReason])).toEqual([
      ['LOGIN_THROTTLED', 'Safari 17 on iOS', null],
      ['LOGIN_FAILED', 'Safari 17 on iOS', null],
      ['LOGIN_FAILED', 'Safari 17 on iOS', null],
      ['PASSWORD_CHANGED', 'Firefox 132 on Linux', null],
      ['LOGIN_REVOKED', 'Firefox 132 on Linux', 'LOGOUT'],
      ['NEW_DEVICE_ALERT', 'Chrome 130 on macOS', null],
      ['LOGIN', 'Chrome 130 on macOS', null],
      ['LOGIN', 'Firefox 132 on Linux', null],
    ]);
    expect(whole.nodes.map((node) => node.login?.id ?? null)).toEqual([null, null, null, a.login.id, b.login.id, b.login.id, b.login.id, a.login.id]);
    expect(whole.nodes.every((node) => node.ipAddress === '127.0.0.1')).toBe(true);
    const times = whole.nodes.map((node) => Date.parse(node.at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);

    for (const first of [1, 3]) {
      const paged = await allEvents(api, first);
      expect(paged.nodes.map((node) => node.id)).toEqual(whole.nodes.map((node) => node.id));
      expect(paged.pages).toBe(Math.ceil(whole.nodes.length / first));
    }

    const theirs = await allEvents(t.api.withToken(stranger.token), 100);
    expect(theirs.nodes.map((node) => node.kind)).toEqual(['LOGIN']);
  });

  it('refuses a first outside 1 to 100 and a cursor it did not make (BAD_USER_INPUT); needs a session', async () => {
    const { token } = await registerUser(t.api);
    const api = t.api.withToken(token);
    for (const first of [0, 101]) {
      const response = await api.request(EVENTS, { variables: { first } });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    }
    const forged = await api.request(EVENTS, { variables: { first: 5, after: 'not-a-cursor' } });
    expect(forged.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const anonymous = await t.api.request(EVENTS, { variables: { first: 5 } });
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'LOGIN_REQUIRED' });
  });
});

describe('HISTORY_RETENTION: security events older than it are deleted', () => {
  it('a starting instance deletes the events past the retention (90d) and keeps the newer ones', async () => {
    const { user, token } = await registerUser(t.api);
    const insertEvents = async (count: number, daysAgo: number) => {
      const rows = await t.db.query<{ id: string }>(
        `insert into security_events (id, user_id, kind, at, ip_address, user_agent, device)
         select gen_random_uuid(), $1, 'LOGIN_FAILED', now() - make_interval(days => $2), '192.0.2.1', '', 'Unknown device'
         from generate_series(1, $3) returning id`,
        [user.id, daysAgo, count],
      );
      return rows.map((row) => row.id);
    };
    const old = await insertEvents(3, 91);
    const recent = await insertEvents(2, 89);

    // Pruning runs at start (then hourly): a second instance on the same database does it.
    const second = await startTestServer(t.db.url, { NEW_DEVICE_ALERTS: 'false' });
    try {
      await expect.poll(async () => (await t.db.query('select id from security_events where id = any($1::uuid[])', [old])).length).toBe(0);
      const { nodes } = await allEvents(t.api.withToken(token), 100);
      expect(nodes.map((node) => node.id).sort()).toEqual([...recent, ...nodes.filter((node) => node.kind === 'LOGIN').map((node) => node.id)].sort());
    } finally {
      await second.stop();
    }
  });
});
