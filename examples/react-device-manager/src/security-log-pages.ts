import type { FieldPolicy } from '@apollo/client';

/** A page of a Relay connection as the cache holds it; only the cursors matter here. */
export interface LogPage {
  readonly edges: ReadonlyArray<{ readonly cursor: string }>;
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
}

/**
 * Puts a page of the security log (newest first) into what is already shown, without gaps or
 * duplicates:
 *
 * - A page `after` a cursor ("Show more") goes after that cursor. If the cursor is no longer shown (a
 *   refresh replaced the list while the page was on its way), the page is dropped: appended, it
 *   would leave a gap, and "Show more" still asks from the last event shown.
 * - The first page (a refetch: a live event, the password changed, the user back on the tab) replaces
 *   the newest events. When its last event is one already shown, the older events shown after it
 *   stay, so a refetch does not take back what "Show more" loaded; otherwise (more new events than a
 *   page, or none of them is shown) it replaces the whole list, which has no gap.
 */
export function mergeLogPage<Page extends LogPage>(existing: Page | undefined, incoming: Page, after: string | null): Page {
  if (existing === undefined) return incoming;
  if (after !== null) {
    const at = existing.edges.findIndex((edge) => edge.cursor === after);
    return at < 0 ? existing : { ...incoming, edges: [...existing.edges.slice(0, at + 1), ...incoming.edges] };
  }
  const last = incoming.edges.at(-1);
  const at = incoming.pageInfo.hasNextPage && last ? existing.edges.findIndex((edge) => edge.cursor === last.cursor) : -1;
  const older = at < 0 ? [] : existing.edges.slice(at + 1);
  return older.length === 0 ? incoming : { ...incoming, edges: [...incoming.edges, ...older], pageInfo: existing.pageInfo };
}

/**
 * The cache's policy for `Query.mySecurityEvents`: one list whatever `first` and `after` are
 * (`keyArgs: false`), each page merged into it by `mergeLogPage`.
 */
export const securityLogPolicy: FieldPolicy<LogPage> = {
  keyArgs: false,
  merge: (existing, incoming, { args }) => mergeLogPage(existing, incoming, typeof args?.['after'] === 'string' ? args['after'] : null),
};
