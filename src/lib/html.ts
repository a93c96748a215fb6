const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * A value made safe to place in HTML text or in a quoted attribute. Everything shown to a user that
 * came from a request (a user agent, a location from an IP database) goes through this: any of them
 * may hold `<script>`.
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

/**
 * A value on one line: control characters (newlines, tabs, escapes) become one space each run, so a
 * crafted value cannot start a line of its own in a plain-text email or a log.
 */
export function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}
