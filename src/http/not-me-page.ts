import { createHash } from 'node:crypto';
import { escapeHtml, oneLine } from '../lib/html';
import { placeOf, readableUtc, type SignInLocation } from '../mail/sign-in-details';

/** Where the link of a new-sign-in email leads: GET shows the sign-in, POST (the button) logs it out. */
export const NOT_ME_PATH = '/security/not-me';

/** The sign-in a link names, as its page shows it, and the link's token for the button's form. */
export interface NotMeView {
  readonly device: string;
  readonly ipAddress: string;
  readonly location: SignInLocation | null;
  readonly createdAt: Date;
  readonly token: string;
}

// The page's only style: inline, allowed by its hash alone (no 'unsafe-inline'), no external assets.
const STYLESHEET = `
body{margin:0;padding:24px 16px;background:#f6f6f4;color:#1a1a1a;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:34rem;margin:0 auto;background:#fff;border:1px solid #ddd;border-radius:8px;padding:24px}
h1{font-size:1.4rem;margin:0 0 16px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0 0 16px}
dt{color:#555;font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
button{font:inherit;font-weight:600;color:#fff;background:#b91c1c;border:0;border-radius:6px;padding:12px 20px;cursor:pointer}
button:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
.note{color:#555;font-size:.9rem}
`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLESHEET, 'utf8').digest('base64')}'`;

/**
 * Sent with every page of NOT_ME_PATH. No script may run and nothing may load (default-src 'none'),
 * the form may post only here, no site may frame the page (the button must not be clickjacked), the
 * token in the URL is never sent on in a Referer, and no cache keeps a page that names a sign-in.
 */
export const NOT_ME_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [`default-src 'none'`, `style-src ${STYLE_HASH}`, `form-action 'self'`, `frame-ancestors 'none'`, `base-uri 'none'`].join('; '),
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-robots-tag': 'noindex, nofollow',
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLESHEET}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

function details(view: NotMeView): string {
  const rows: Array<[string, string]> = [
    ['Device', oneLine(view.device) || 'Unknown device'],
    ['IP address', oneLine(view.ipAddress) || 'Unknown'],
    ['Location', view.location ? `${placeOf(view.location)} (approximate)` : placeOf(null)],
    ['Time', readableUtc(view.createdAt)],
  ];
  return `<dl>\n${rows.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`).join('\n')}\n</dl>`;
}

const CHANGE_PASSWORD = 'Change your password now: whoever signed in knows it.';

/** GET with a usable link: the sign-in, and the button that logs it out. Showing it changes nothing. */
export function notMePage(view: NotMeView): string {
  return page(
    'Was this you?',
    `<p>Someone signed in to your account:</p>
${details(view)}
<p>If it wasn't you, log that sign-in out: it loses access to your account at once.</p>
<form method="post" action="${NOT_ME_PATH}">
<input type="hidden" name="token" value="${escapeHtml(view.token)}">
<button type="submit">Log it out</button>
</form>
<p class="note">If it was you, close this page: nothing changes unless you press the button.</p>`,
  );
}

/** After the button: the sign-in is logged out. */
export function loggedOutPage(): string {
  return page(
    'Signed out',
    `<p>That sign-in has been logged out. ${escapeHtml(CHANGE_PASSWORD)}</p>
<p class="note">When you change it, choose to log out your other devices too: that ends any other sign-in they made.</p>`,
  );
}

/** A link whose sign-in had already ended (logged out, replaced, timed out), by the button or before. */
export function alreadyRevokedPage(): string {
  return page(
    'Already signed out',
    `<p>That sign-in was already logged out: it can no longer use your account.</p>
<p>If it wasn't you, ${escapeHtml(CHANGE_PASSWORD.charAt(0).toLowerCase() + CHANGE_PASSWORD.slice(1))}</p>`,
  );
}

/** A link that is unknown, already used or expired (the page cannot tell which, and need not). */
export function invalidLinkPage(): string {
  return page(
    'This link no longer works',
    `<p>It was already used, it has expired, or it was not copied whole.</p>
<p>If you are worried about a sign-in to your account, change your password and log out the devices you don't recognise.</p>`,
  );
}
