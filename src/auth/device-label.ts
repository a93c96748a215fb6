import Bowser from 'bowser';

const MAX_LABEL_LENGTH = 100;
export const UNKNOWN_DEVICE = 'Unknown device';

// HTTP clients that are not browsers (curl, Postman, okhttp...) lead with a "product/version" token.
const PRODUCT_TOKEN = /^([A-Za-z][\w.-]*)\/(\d[\w.-]*)/;

/** The browsers (and bots) Bowser knows by name; any other name it gives is the user agent's own first token. */
const KNOWN_BROWSERS: ReadonlySet<string> = new Set(Object.values(Bowser.BROWSER_MAP));

function browserLabel(userAgent: string): string | null {
  let parsed: Bowser.Parser.ParsedResult;
  try {
    parsed = Bowser.parse(userAgent);
  } catch {
    return null;
  }
  const name = parsed.browser.name?.trim();
  // Bowser falls back to echoing an unrecognised "Name/1.0" token as the browser name: not a browser,
  // and its product and whole version ("Device0 1.0", not "Device0 1") make the better label.
  if (!name || name.includes('/') || !KNOWN_BROWSERS.has(name)) return null;
  const major = parsed.browser.version?.split('.')[0];
  const os = parsed.os.name;
  return `${name}${major ? ` ${major}` : ''}${os ? ` on ${os}` : ''}`;
}

/** A readable label for a User-Agent header, e.g. "Firefox 132 on Linux" or "curl 8.5.0". */
export function deviceLabel(userAgent: string): string {
  const trimmed = userAgent.trim();
  if (trimmed.length === 0) return UNKNOWN_DEVICE;
  const product = PRODUCT_TOKEN.exec(trimmed);
  const label =
    browserLabel(trimmed) ?? (product ? `${product[1]} ${product[2]}` : trimmed);
  return label.length > MAX_LABEL_LENGTH ? `${label.slice(0, MAX_LABEL_LENGTH - 1)}…` : label;
}
