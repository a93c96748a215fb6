import { useSyncExternalStore } from 'react';

/**
 * Who is signed in on this tab. The token lives in memory and in sessionStorage: it survives a
 * reload of the tab, but another tab (or a closed and reopened browser) signs in on its own, which
 * makes it another device in the list.
 */
export interface SessionState {
  readonly token: string | null;
  /** A short message for the sign-in form: why the user is looking at it again. */
  readonly notice: string | null;
}

const TOKEN_KEY = 'device-manager.token';

export class SessionStore {
  private state: SessionState;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly storage: Storage) {
    this.state = { token: storage.getItem(TOKEN_KEY), notice: null };
  }

  get token(): string | null {
    return this.state.token;
  }

  readonly getSnapshot = (): SessionState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(token: string): void {
    this.storage.setItem(TOKEN_KEY, token);
    this.update({ token, notice: null });
  }

  /**
   * Ends the session of `token`. A late answer to a request made with an older token (one from
   * before the user signed in again) must not end the new session, hence the comparison.
   */
  end(token: string | null, notice: string | null): void {
    if (token === null || token !== this.state.token) return;
    this.storage.removeItem(TOKEN_KEY);
    this.update({ token: null, notice });
  }

  dismissNotice(): void {
    if (this.state.notice !== null) this.update({ ...this.state, notice: null });
  }

  private update(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}

export const session = new SessionStore(window.sessionStorage);

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.getSnapshot);
}
