import { describe, expect, it } from 'vitest';
import { mergeLogPage, type LogPage } from '../../examples/react-device-manager/src/security-log-pages';

/**
 * The React example's security log, newest first, as pages merged in the cache: "Show more" appends
 * after its cursor, a refetch of the first page (a live event) replaces the newest events and keeps
 * the older ones "Show more" loaded, and neither leaves a gap or a duplicate.
 */
/** Events are named by number, newest the highest: `page([9, 8, 7], true)`. */
function page(events: number[], hasNextPage: boolean): LogPage {
  const edges = events.map((n) => ({ cursor: `e${n}` }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}
const shown = (merged: LogPage) => ({ events: merged.edges.map((edge) => Number(edge.cursor.slice(1))), pageInfo: merged.pageInfo });

describe('the pages of the security log in the React example', () => {
  it('takes the first page as it is', () => {
    expect(mergeLogPage(undefined, page([9, 8, 7], true), null)).toEqual(page([9, 8, 7], true));
  });

  it('appends the page after its cursor, with its pageInfo', () => {
    expect(shown(mergeLogPage(page([9, 8, 7], true), page([6, 5, 4], true), 'e7'))).toEqual(shown(page([9, 8, 7, 6, 5, 4], true)));
    expect(shown(mergeLogPage(page([9, 8, 7, 6, 5, 4], true), page([3, 2], false), 'e4'))).toEqual(shown(page([9, 8, 7, 6, 5, 4, 3, 2], false)));
  });

  it('replaces what followed the cursor: a page asked again from the same cursor is not shown twice', () => {
    expect(shown(mergeLogPage(page([9, 8, 7, 6, 5], true), page([6, 5, 4], true), 'e7'))).toEqual(shown(page([9, 8, 7, 6, 5, 4], true)));
  });

  it('drops a page whose cursor is no longer shown (a refresh replaced the list meanwhile), rather than leave a gap', () => {
    const current = page([30, 29, 28], true);
    expect(mergeLogPage(current, page([6, 5, 4], true), 'e7')).toBe(current);
  });

  it('on a refetch of the first page, puts the new events on top and keeps the older ones already loaded', () => {
    // Two pages of 3 were shown; 2 new events arrived; the refetched first page overlaps the old list at 8.
    const merged = mergeLogPage(page([9, 8, 7, 6, 5, 4], true), page([11, 10, 9, 8], true), null);
    expect(shown(merged)).toEqual(shown(page([11, 10, 9, 8, 7, 6, 5, 4], true)));
    // "Show more" then goes on from the last event shown.
    expect(shown(mergeLogPage(merged, page([3, 2], false), merged.pageInfo.endCursor))).toEqual(shown(page([11, 10, 9, 8, 7, 6, 5, 4, 3, 2], false)));
  });

  it('on a refetch with nothing new, shows the same events, in the same order', () => {
    expect(shown(mergeLogPage(page([9, 8, 7, 6, 5, 4], true), page([9, 8, 7], true), null))).toEqual(shown(page([9, 8, 7, 6, 5, 4], true)));
  });

  it('drops an older event that is gone from the refetched page (pruned, say) instead of keeping it', () => {
    expect(shown(mergeLogPage(page([9, 8, 7, 6, 5, 4], true), page([10, 9, 7], true), null))).toEqual(shown(page([10, 9, 7, 6, 5, 4], true)));
  });

  it('replaces the whole list when the refetched page does not reach it (more new events than a page): no gap', () => {
    expect(mergeLogPage(page([9, 8, 7, 6], true), page([14, 13, 12], true), null)).toEqual(page([14, 13, 12], true));
  });

  it('replaces the whole list when the refetched page is the whole log (hasNextPage false)', () => {
    expect(mergeLogPage(page([9, 8, 7, 6], true), page([10, 9, 8], false), null)).toEqual(page([10, 9, 8], false));
    expect(mergeLogPage(page([9, 8], false), page([], false), null)).toEqual(page([], false));
  });

  it('keeps the older events when the refetched page ends where the list ended, with the first page’s pageInfo', () => {
    expect(mergeLogPage(page([9, 8, 7], true), page([10, 9, 8, 7], true), null)).toEqual(page([10, 9, 8, 7], true));
  });
});
