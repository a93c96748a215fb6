import { escapeHtml, oneLine } from '../lib/html';
import type { MailMessage } from './mailer';
import { placeOf, readableUtc, type SignInLocation } from './sign-in-details';

/** What the email tells about one sign-in from a new device, and where its "not me" link goes. */
export interface NewDeviceAlert {
  readonly to: string;
  /** The readable label from the user agent, e.g. "Firefox 132 on Linux". */
  readonly device: string;
  readonly ipAddress: string;
  readonly location: SignInLocation | null;
  /** When the sign-in happened. */
  readonly at: Date;
  /** `PUBLIC_URL/security/not-me?token=…`: the page that shows this sign-in and can log it out. */
  readonly link: string;
}

export const NEW_DEVICE_ALERT_SUBJECT = 'New sign-in to your account';
export const IGNORE_IF_YOU = 'If this was you, you can ignore this email.';

/** The details as label and value, one line each; the same rows in the text and the HTML. */
function detailRows(alert: NewDeviceAlert): Array<[label: string, value: string]> {
  return [
    ['Device', oneLine(alert.device) || 'Unknown device'],
    ['IP address', oneLine(alert.ipAddress) || 'Unknown'],
    ['Location', alert.location ? `${placeOf(alert.location)} (approximate, from the IP address)` : placeOf(null)],
    ['Time', `${readableUtc(alert.at)} (${alert.at.toISOString()})`],
  ];
}

/** Only a web link may become the button: never `javascript:` or `data:`, whatever built it. */
function webLink(link: string): string {
  const { protocol } = new URL(link);
  if (protocol !== 'https:' && protocol !== 'http:') throw new Error('a new-device alert link must be an http(s) URL');
  return link;
}

function textOf(alert: NewDeviceAlert, link: string): string {
  const width = Math.max(...detailRows(alert).map(([label]) => label.length)) + 1;
  return [
    'Someone just signed in to your account from a device we have not seen before.',
    '',
    ...detailRows(alert).map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`),
    '',
    IGNORE_IF_YOU,
    '',
    "If this wasn't you, open this link to see the sign-in and log it out:",
    link,
    '',
    'Then change your password: whoever signed in knows it.',
    '',
  ].join('\n');
}

// Inline style attributes: many mail clients drop <style> blocks.
const FONT = 'font-family:-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif';
const BUTTON =
  'display:inline-block;background:#b91c1c;color:#ffffff;text-decoration:none;font-weight:600;padding:12px 20px;border-radius:6px';

function htmlOf(alert: NewDeviceAlert, link: string): string {
  const href = escapeHtml(link);
  const rows = detailRows(alert)
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:4px 16px 4px 0;color:#555555;font-weight:600">${escapeHtml(label)}</th>` +
        `<td style="padding:4px 0">${escapeHtml(value)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(NEW_DEVICE_ALERT_SUBJECT)}</title>
</head>
<body style="margin:0;padding:24px;background:#ffffff;color:#1a1a1a;${FONT};font-size:16px;line-height:1.5">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(NEW_DEVICE_ALERT_SUBJECT)}</h1>
<p style="margin:0 0 16px">Someone just signed in to your account from a device we have not seen before.</p>
<table role="presentation" cellspacing="0" cellpadding="0" style="margin:0 0 16px;border-collapse:collapse">
${rows}
</table>
<p style="margin:0 0 16px">${escapeHtml(IGNORE_IF_YOU)}</p>
<p style="margin:0 0 16px">If this wasn't you, see the sign-in and log it out, then change your password:</p>
<p style="margin:0 0 24px"><a href="${href}" style="${BUTTON}">This wasn't me: log it out</a></p>
<p style="margin:0;color:#555555;font-size:14px">Or open this link: <a href="${href}" style="color:#555555">${href}</a></p>
</body>
</html>
`;
}

/**
 * The email sent when an account is signed in to from a new device. Every value is shown on one line
 * and HTML-escaped: the device label comes from a User-Agent header and the location from an IP
 * database, and either may hold markup.
 */
export function newDeviceAlertMail(alert: NewDeviceAlert): MailMessage {
  const link = webLink(alert.link);
  return { to: alert.to, subject: NEW_DEVICE_ALERT_SUBJECT, text: textOf(alert, link), html: htmlOf(alert, link) };
}
