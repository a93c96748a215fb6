import { fromEvent, merge, filter, throttleTime, type Observable } from 'rxjs';

/**
 * Fires when the user comes back to the page: the tab becomes visible again or the window gets
 * the focus. Switching tabs fires both, so they are throttled into one refetch.
 */
export function userReturned(): Observable<Event> {
  const tabShown = fromEvent(document, 'visibilitychange').pipe(filter(() => document.visibilityState === 'visible'));
  return merge(tabShown, fromEvent(window, 'focus')).pipe(throttleTime(2_000));
}
