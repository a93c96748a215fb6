import { MAX_EMAIL_LENGTH, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARACTERS } from '../limits';

/** Rules for what an email address and a password may be. Pure functions: no I/O. */

// The WHATWG HTML definition of a valid email address (what <input type="email"> accepts).
const EMAIL_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export type EmailCheck = { ok: true; email: string } | { ok: false; problem: string };

/** Trims and lower-cases, so that the stored address is unique regardless of case. */
export function normalizeEmail(raw: string): EmailCheck {
  const email = raw.trim().toLowerCase();
  if (email.length === 0) return { ok: false, problem: 'Email is required.' };
  if (email.length > MAX_EMAIL_LENGTH) {
    return { ok: false, problem: `Email must be at most ${MAX_EMAIL_LENGTH} characters.` };
  }
  if (!EMAIL_PATTERN.test(email)) return { ok: false, problem: 'Email is not a valid email address.' };
  return { ok: true, email };
}

/** Returns why the password cannot be used, or null when it can. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_CHARACTERS) {
    return `Password must be at least ${MIN_PASSWORD_CHARACTERS} characters.`;
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    return `Password must be at most ${MAX_PASSWORD_BYTES} bytes in UTF-8.`;
  }
  return null;
}
