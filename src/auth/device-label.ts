import Bowser from 'bowser';

const MAX_LABEL_LENGTH = 100;
export const UNKNOWN_DEVICE = 'Unknown device';

// HTTP clients that are not browsers (curl, Postman, okhttp...) lead with a "product/version" token.
const PRODUCT_TOKEN = /^([A-Za-z][\w.-]*)\/(\d[\w.-]*)/;

/** The browsers (and bots) Bowser knows by name; any other name it gives is the user agent's own first token. */
const KNOWN_BROWSERS: ReadonlySet<string> = new Set(Object.values(Bowser.BROWSER_MAP));

/** A user agent as a login records it. */
export interface DeviceDescription {
  /** Readable: "Firefox 132 on Linux", "curl 8.5.0". */
  readonly label: string;
  /** The browser's (or client's) and the operating system's names without versions, "" when unknown. */
  readonly browserName: string;
  readonly osName: string;
}

function browserOf(userAgent: string): DeviceDescription | null {
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
  const os = parsed.os.name?.trim() ?? '';
  return { label: `${name}${major ? ` ${major}` : ''}${os ? ` on ${os}` : ''}`, browserName: name, osName: os };
}

const cut = (label: string) => (label.length > MAX_LABEL_LENGTH ? `${label.slice(0, MAX_LABEL_LENGTH - 1)}…` : label);

/** What a User-Agent header says of the device: its label, and its browser and OS names. */
export function describeDevice(userAgent: string): DeviceDescription {
  const trimmed = userAgent.trim();
  if (trimmed.length === 0) return { label: UNKNOWN_DEVICE, browserName: '', osName: '' };
  const browser = browserOf(trimmed);
  if (browser) return { ...browser, label: cut(browser.label) };
  const product = PRODUCT_TOKEN.exec(trimmed);
  return product
    ? { label: cut(`${product[1]} ${product[2]}`), browserName: cut(product[1]!), osName: '' }
    : { label: cut(trimmed), browserName: cut(trimmed), osName: '' };
}

/** A readable label for a User-Agent header, e.g. "Firefox 132 on Linux" or "curl 8.5.0". */
export function deviceLabel(userAgent: string): string {
  return describeDevice(userAgent).label;
}
