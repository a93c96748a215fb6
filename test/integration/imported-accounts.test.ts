import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/fixture';
import { LOGIN, ME, PASSWORD, logInUser, uniqueEmail } from '../helpers/operations';

/**
 * Accounts that another tool wrote into `users` (an import, a seed script): it names no
 * `password_changed_at`, and PostgreSQL's own timestamps are finer than the milliseconds the server
 * reads back. They log in, and a password change still makes an earlier password check stale.
 */
const t = useTestServer();
const CHANGE_PASSWORD = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }`;

const importAccount = (email: string, passwordChangedAt?: string) =>
  passwordChangedAt === undefined
    ? t.db.query(`insert into users (id, email, password_hash, created_at) values ($1, $2, $3, now())`, [randomUUID(), email, bcrypt.hashSync(PASSWORD, 4)])
    : t.db.query(`insert into users (id, email, password_hash, created_at, password_changed_at) values ($1, $2, $3, now(), $4)`, [
        randomUUID(),
        email,
        bcrypt.hashSync(PASSWORD, 4),
        passwordChangedAt,
      ]);

describe('an account inserted by SQL', () => {
  it.each([
    ['without password_changed_at (its default)', undefined],
    ['whose password_changed_at has microseconds', '2026-06-01 12:00:00.123456+00'],
  ])('%s logs in, and changes its password like any other', async (_case, passwordChangedAt) => {
    const email = uniqueEmail('imported');
    await importAccount(email, passwordChangedAt);

    const { token } = await logInUser(t.api, email);
    await t.api.withToken(token).ok(ME);
    await t.api.withToken(token).ok(CHANGE_PASSWORD, { variables: { input: { currentPassword: PASSWORD, newPassword: 'a new and longer one' } } });
    const old = await t.api.request(LOGIN, { variables: { input: { email, password: PASSWORD } } });
    expect(old.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
    await logInUser(t.api, email, 'a new and longer one');
  });
});
