import type { LiveState } from '../use-login-activity';

const LABELS: Record<LiveState, { text: string; title: string }> = {
  connecting: { text: 'Connecting…', title: 'Connecting for live updates.' },
  connected: { text: 'Live', title: 'Logins and logouts elsewhere show here as they happen.' },
  reconnecting: { text: 'Reconnecting…', title: 'Live updates are interrupted; the list is fetched again once they are back.' },
  stopped: { text: 'Not live', title: 'Live updates stopped. Refresh shows the latest list.' },
};

/** Whether the list updates by itself; announced politely when it changes. */
export function LiveIndicator({ state }: { state: LiveState }) {
  const { text, title } = LABELS[state];
  return (
    <span className={`live-indicator ${state}`} title={title} aria-live="polite">
      {text}
    </span>
  );
}
