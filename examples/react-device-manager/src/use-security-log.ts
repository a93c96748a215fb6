import { NetworkStatus } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { MySecurityEventsDocument } from '../../../sdk/generated/graphql';
import { readableError, type ReadableError } from './graphql-errors';

/** How many events the panel shows at first, and how many more each "Show more" loads. */
export const SECURITY_LOG_PAGE_SIZE = 10;

/**
 * The newest events of `mySecurityEvents`, and the next page on demand (`after` the last one shown).
 * The cache merges the pages into one list (see security-log-pages.ts), so a refetch of the first
 * page (on a live event, say) keeps what "Show more" loaded.
 */
export function useSecurityLog() {
  const query = useQuery(MySecurityEventsDocument, {
    variables: { first: SECURITY_LOG_PAGE_SIZE },
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: true,
    // A refetch would otherwise overwrite the list (Apollo's default): merged, it keeps the older pages.
    refetchWritePolicy: 'merge',
  });
  // A failed "Show more" rejects its own promise and leaves the query as it was: reported apart.
  const [moreError, setMoreError] = useState<ReadableError | null>(null);
  const connection = query.data?.mySecurityEvents;
  const endCursor = connection?.pageInfo.endCursor ?? null;

  async function showMore() {
    if (endCursor === null) return;
    setMoreError(null);
    try {
      await query.fetchMore({ variables: { after: endCursor } });
    } catch (caught) {
      setMoreError(readableError(caught));
    }
  }

  return {
    events: connection?.edges.map((edge) => edge.node) ?? null,
    hasMore: connection?.pageInfo.hasNextPage ?? false,
    loading: query.loading,
    loadingMore: query.networkStatus === NetworkStatus.fetchMore,
    error: query.error ? readableError(query.error) : moreError,
    showMore,
  };
}
