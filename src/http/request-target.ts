/** A request target's path, without the query string (which may hold an operation's variables). */
export function pathOf(url: string | undefined = '/'): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** A request target's query string with its `?`, or '' (what Apollo calls `search`). */
export function searchOf(url = ''): string {
  const query = url.indexOf('?');
  return query === -1 ? '' : url.slice(query);
}
