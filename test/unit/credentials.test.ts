import { describe, expect, it } from 'vitest';
import { normalizeEmail, passwordProblem } from '../../src/auth/credentials';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Alice.Smith+Work@Example.COM ')).toEqual({ ok: true, email: 'alice.smith+work@example.com' });
  });

  it.each(['', '   ', 'alice', 'alice@', '@example.com', 'alice@@example.com', 'alice smith@example.com', 'alice@exa mple.com', 'alice@-example.com'])(
    'refuses %j',
    (email) => expect(normalizeEmail(email).ok).toBe(false),
  );

  it('refuses more than 254 characters', () => {
    const local = 'a'.repeat(64);
    const domain = `${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.com`; // 312 characters in all
    expect(normalizeEmail(`${local}@${domain}`).ok).toBe(false);
    expect(normalizeEmail(`${local}@${domain.slice(0, 100)}.com`).ok).toBe(true);
  });
});

describe('passwordProblem', () => {
  it('accepts 8 characters up to 72 bytes', () => {
    expect(passwordProblem('12345678')).toBeNull();
    expect(passwordProblem('x'.repeat(72))).toBeNull();
    expect(passwordProblem('🔑🔑🔑🔑🔑🔑🔑🔑')).toBeNull(); // 8 characters, 32 bytes
  });

  it('counts characters, not UTF-16 units, for the minimum', () => {
    expect(passwordProblem('🔑🔑🔑🔑')).toMatch(/at least 8 characters/); // 8 UTF-16 units, 4 characters
  });

  it('refuses more than 72 UTF-8 bytes rather than let bcrypt cut it', () => {
    expect(passwordProblem('x'.repeat(73))).toMatch(/at most 72 bytes/);
    expect(passwordProblem('é'.repeat(37))).toMatch(/at most 72 bytes/); // 37 characters, 74 bytes
  });
});
