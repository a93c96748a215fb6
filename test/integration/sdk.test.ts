import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { describe, expect, it } from 'vitest';
import {
  ChangePasswordDocument,
  DeleteAccountDocument,
  GraphQLRequestError,
  LoginDocument,
  LogoutAllDocument,
  LogoutDeviceDocument,
  MeDocument,
  MyLoginsDocument,
  NetworkError,
  RegisterDocument,
  createClient,
  isBadUserInput,
  isNetworkError,
  isNotFound,
  isUnauthenticated,
  sessionEndReason,
  unauthenticatedReason,
  type Client,
} from '../../sdk';
import { closedPort } from '../helpers/closed-port';
import { CHROME_MAC, FIREFOX_LINUX, SAFARI_IPHONE, useTestServer } from '../helpers/fixture';
import { PASSWORD, uniqueEmail } from '../helpers/operations';

/* Every request of this file goes through the SDK, as an application would send it. */

const t = useTestServer();

const anonymous = () => createClient({ url: t.server.url });

/** The server keeps one active login per IP address and user agent: a device is a user agent here. */
const device = (userAgent: string) => anonymous().withHeaders({ 'user-agent': userAgent });

async function rejectionOf(request: Promise<unknown>): Promise<unknown> {
  return request.then(
    (data) => expect.fail(`expected a rejection, got ${JSON.stringify(data)}`),
    (error: unknown) => error,
  );
}

/** Registers on a Linux laptop and logs in on an iPhone: one client per device, signed in. */
async function userOnTwoDevices() {
  const input = { email: uniqueEmail(), password: PASSWORD };
  const { register } = await device(FIREFOX_LINUX).request(RegisterDocument, { input });
  const { login } = await device(SAFARI_IPHONE).request(LoginDocument, { input });
  return {
    input,
    laptop: { client: device(FIREFOX_LINUX).withToken(register.token), token: register.token, login: register.login },
    phone: { client: device(SAFARI_IPHONE).withToken(login.token), token: login.token, login: login.login },
  };
}

async function expectRefused(client: Client) {
  const error = await rejectionOf(client.request(MeDocument));
  expect(isUnauthenticated(error)).toBe(true);
  if (!isUnauthenticated(error)) return;
  expect(error).toBeInstanceOf(GraphQLRequestError);
  expect(error.status).toBe(401);
  expect(error.code).toBe('UNAUTHENTICATED');
}

describe('the SDK against the live server', () => {
  it('registers, logs in on a second device, lists both, and logs the other one out', async () => {
    const { laptop, phone } = await userOnTwoDevices();

    const { myLogins } = await laptop.client.request(MyLoginsDocument);
    expect(myLogins.map((login) => login.id)).toEqual([phone.login.id, laptop.login.id]);
    expect(myLogins.map((login) => login.current)).toEqual([false, true]);
    expect(myLogins.map((login) => login.device)).toEqual(['Safari 17 on iOS', 'Firefox 132 on Linux']);

    expect(await laptop.client.request(LogoutDeviceDocument, { loginId: phone.login.id })).toEqual({ logoutDevice: true });
    await expectRefused(phone.client);

    const { myLogins: withRevoked } = await laptop.client.request(MyLoginsDocument, { includeRevoked: true });
    expect(withRevoked.find((login) => login.id === phone.login.id)?.revokedReason).toBe('LOGOUT');
  });

  it('logs out every other device with logoutAll(keepCurrent: true), counting them', async () => {
    const { input, laptop, phone } = await userOnTwoDevices();
    const { login: mac } = await device(CHROME_MAC).request(LoginDocument, { input });

    expect(await laptop.client.request(LogoutAllDocument, { keepCurrent: true })).toEqual({ logoutAll: 2 });
    await expectRefused(phone.client);
    await expectRefused(device(CHROME_MAC).withToken(mac.token));
    expect((await laptop.client.request(MeDocument)).me.email).toBe(input.email);
  });

  it('reports a short password as BAD_USER_INPUT on the password field', async () => {
    const error = await rejectionOf(anonymous().request(RegisterDocument, { input: { email: uniqueEmail(), password: 'short' } }));
    expect(isBadUserInput(error)).toBe(true);
    if (!isBadUserInput(error)) return;
    expect(error.status).toBe(200);
    expect(error.errors[0]?.extensions?.['field']).toBe('password');
  });

  it('changes the password with changePassword: the other logins end with PASSWORD_CHANGED, this one and the new password work', async () => {
    const { input, laptop, phone } = await userOnTwoDevices();
    const newPassword = `${PASSWORD} changed`;
    const changed = await laptop.client.request(ChangePasswordDocument, { input: { currentPassword: PASSWORD, newPassword } });
    expect(changed).toEqual({ changePassword: 1 });

    const error = await rejectionOf(phone.client.request(MeDocument));
    expect(isUnauthenticated(error) && error.status).toBe(401);
    expect(sessionEndReason(error)).toEqual({ reason: 'SESSION_REVOKED', revokedReason: 'PASSWORD_CHANGED' });
    expect((await laptop.client.request(MeDocument)).me.email).toBe(input.email);
    expect(unauthenticatedReason(await rejectionOf(device(CHROME_MAC).request(LoginDocument, { input })))).toBe('INVALID_CREDENTIALS');
    await device(CHROME_MAC).request(LoginDocument, { input: { ...input, password: newPassword } });
  });

  it('keeps the other logins with changePassword(logoutOtherDevices: false), counting none', async () => {
    const { laptop, phone } = await userOnTwoDevices();
    const input = { currentPassword: PASSWORD, newPassword: `${PASSWORD} changed`, logoutOtherDevices: false };
    expect(await laptop.client.request(ChangePasswordDocument, { input })).toEqual({ changePassword: 0 });
    expect((await phone.client.request(MyLoginsDocument)).myLogins).toHaveLength(2);
  });

  it('reports a wrong current password as INVALID_CREDENTIALS (HTTP 200), and a short new one as BAD_USER_INPUT on newPassword', async () => {
    const { laptop } = await userOnTwoDevices();
    const newPassword = `${PASSWORD} changed`;
    const wrong = await rejectionOf(laptop.client.request(ChangePasswordDocument, { input: { currentPassword: 'not the password', newPassword } }));
    expect(isUnauthenticated(wrong) && wrong.status).toBe(200);
    expect(unauthenticatedReason(wrong)).toBe('INVALID_CREDENTIALS');
    expect(sessionEndReason(wrong)).toBeNull();

    const short = await rejectionOf(laptop.client.request(ChangePasswordDocument, { input: { currentPassword: PASSWORD, newPassword: 'short' } }));
    expect(isBadUserInput(short)).toBe(true);
    if (!isBadUserInput(short)) return;
    expect(short.errors[0]?.extensions?.['field']).toBe('newPassword');
    expect((await laptop.client.request(MeDocument)).me).toBeDefined();
  });

  it('deletes the account with deleteAccount: every token stops working, and the email can register again', async () => {
    const { input, laptop, phone } = await userOnTwoDevices();
    const wrong = await rejectionOf(laptop.client.request(DeleteAccountDocument, { password: 'not the password' }));
    expect(unauthenticatedReason(wrong)).toBe('INVALID_CREDENTIALS');

    expect(await laptop.client.request(DeleteAccountDocument, { password: PASSWORD })).toEqual({ deleteAccount: true });
    await expectRefused(laptop.client);
    await expectRefused(phone.client);
    const { register } = await device(CHROME_MAC).request(RegisterDocument, { input });
    expect(register.user.email).toBe(input.email);
  });

  it("reports another user's login id as NOT_FOUND", async () => {
    const alice = await userOnTwoDevices();
    const bob = await userOnTwoDevices();
    const error = await rejectionOf(bob.laptop.client.request(LogoutDeviceDocument, { loginId: alice.phone.login.id }));
    expect(isNotFound(error)).toBe(true);
  });

  it('reports an operation that needs a login, sent without a token, as UNAUTHENTICATED with HTTP 200', async () => {
    const error = await rejectionOf(anonymous().request(MyLoginsDocument));
    expect(isUnauthenticated(error) && error.status).toBe(200);
  });

  it('reports a closed port as a NetworkError without a status', async () => {
    const client = createClient({ url: `http://127.0.0.1:${await closedPort()}/graphql` });
    const error = await rejectionOf(client.request(MeDocument));
    expect(isNetworkError(error)).toBe(true);
    expect(isUnauthenticated(error)).toBe(false);
    expect(error).toMatchObject({ name: 'NetworkError', status: undefined, message: expect.stringContaining('Could not reach') });
    expect((error as NetworkError).cause).toBeInstanceOf(Error);
  });

  it('reports an answer that is not GraphQL (a 404 page) as a NetworkError with its status', async () => {
    const client = createClient({ url: new URL('/no-graphql-here', t.server.url) });
    const error = await rejectionOf(client.request(MeDocument));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).status).toBe(404);
  });
});

describe('the SDK documents with Apollo Client 4', () => {
  const apolloClient = (token: string) =>
    new ApolloClient({
      link: new HttpLink({ uri: t.server.url, headers: { authorization: `Bearer ${token}` } }),
      cache: new InMemoryCache(),
    });

  it('return typed data, and report a revoked token as CombinedGraphQLErrors with code UNAUTHENTICATED', async () => {
    const { laptop, phone } = await userOnTwoDevices();

    const { data } = await apolloClient(phone.token).query({ query: MyLoginsDocument });
    expect(data?.myLogins.find((login) => login.current)?.id).toBe(phone.login.id);

    await laptop.client.request(LogoutDeviceDocument, { loginId: phone.login.id });
    const error = await rejectionOf(apolloClient(phone.token).query({ query: MyLoginsDocument }));
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    if (!CombinedGraphQLErrors.is(error)) return;
    expect(error.errors[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});
