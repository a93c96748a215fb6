/**
 * What every request of the peers scenario sends as its User-Agent: a current Chrome on Windows.
 * Our server parses the header into a device label (Bowser) for every request's context; autocannon
 * sends none by default, which would skip that cost and flatter our server.
 */
export const BROWSER_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
