import { describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/fixture';
import { LOGIN, REGISTER } from '../helpers/operations';

/** An error about bad variables never quotes a password back: not in the message, not anywhere in the answer. */
const t = useTestServer();

const SECRET = 'Hunter2-never-echo-me';

describe('a bad variables payload holding a password', () => {
  it.each([
    ['an unknown field in LoginInput', LOGIN, { input: { email: 'alice@example.com', password: SECRET, rememberMe: true } },
      'Variable "$input" got an invalid value; Field "rememberMe" is not defined by type "LoginInput".'],
    ['an unknown field in RegisterInput', REGISTER, { input: { email: 'alice@example.com', password: SECRET, name: 'Alice' } },
      'Variable "$input" got an invalid value; Field "name" is not defined by type "RegisterInput".'],
    ['a missing email beside the password', LOGIN, { input: { password: SECRET } },
      'Variable "$input" got an invalid value; Field "email" of required type "String!" was not provided.'],
    ['a wrongly typed email beside the password', LOGIN, { input: { email: 42, password: SECRET } },
      'Variable "$input" got an invalid value at "input.email"; String cannot represent a non string value: 42'],
    ['input as a list', LOGIN, { input: [{ email: 'alice@example.com', password: SECRET }] },
      'Variable "$input" got an invalid value; Expected type "LoginInput" to be an object.'],
    ['a number as the password', LOGIN, { input: { email: 'alice@example.com', password: 918273645 } },
      'Variable "$input" got an invalid value at "input.password".'],
    ['a password that holds the separator', LOGIN, { input: { email: 'alice@example.com', password: `${SECRET}; x at "y"`, extra: 1 } },
      'Variable "$input" got an invalid value; Field "extra" is not defined by type "LoginInput".'],
  ])('%s: the answer names the problem, never the password', async (_, query, variables, message) => {
    const response = await t.api.request(query, { variables });
    expect(response.errors?.length).toBeGreaterThan(0);
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const body = JSON.stringify(response);
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain('918273645');
    expect(response.errors?.[0]?.message).toBe(message);
  });
});
