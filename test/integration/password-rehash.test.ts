import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../helpers/graphql-client';
import { useTestServer } from '../helpers/fixture';
import { LOGIN, logInUser, PASSWORD, registerUser, uniqueEmail } from '../helpers/operations';

// Contract v2: logging in again rehashes the password when its bcrypt cost differs from BCRYPT_COST.
const SERVER_COST = 8;
const t = useTestServer({ BCRYPT_COST: String(SERVER_COST) });

async function storedHash(userId: string): Promise<string> {
  const [row] = await t.db.query<{ password_hash: string }>('select password_hash from users where id = $1', [userId]);
  return row!.password_hash;
}

async function setStoredHash(userId: string, hash: string): Promise<void> {
  await t.db.query('update users set password_hash = $2 where id = $1', [userId, hash]);
}

describe('a password hashed at another cost than BCRYPT_COST', () => {
  it('is hashed again at BCRYPT_COST by the next successful login, and still works', async () => {
    const email = uniqueEmail();
    const { user } = await registerUser(t.api, email);
    expect(bcrypt.getRounds(await storedHash(user.id))).toBe(SERVER_COST);
    await setStoredHash(user.id, bcrypt.hashSync(PASSWORD, 4));

    await logInUser(t.api, email);
    const rehashed = await storedHash(user.id);
    expect(bcrypt.getRounds(rehashed)).toBe(SERVER_COST);
    expect(bcrypt.compareSync(PASSWORD, rehashed)).toBe(true);
    await logInUser(t.api, email);
  });

  it('is hashed down too, when BCRYPT_COST was lowered', async () => {
    const email = uniqueEmail();
    const { user } = await registerUser(t.api, email);
    await setStoredHash(user.id, bcrypt.hashSync(PASSWORD, SERVER_COST + 1));
    await logInUser(t.api, email);
    expect(bcrypt.getRounds(await storedHash(user.id))).toBe(SERVER_COST);
  });

  it('is left alone by a wrong password', async () => {
    const email = uniqueEmail();
    const { user } = await registerUser(t.api, email);
    const lowCost = bcrypt.hashSync(PASSWORD, 4);
    await setStoredHash(user.id, lowCost);
    const response = await t.api.request(LOGIN, { variables: { input: { email, password: 'wrong password' } } });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(await storedHash(user.id)).toBe(lowCost);
  });
});
