import { useSyncExternalStore } from 'react';
import type { SessionEnd } from '../../../sdk/errors';
import { signedOutNotice } from './signed-out-notice';

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

/** A tab logging itself out, and whether the server has already said that its login ended. */
interface Leaving {
  readonly token: string;
  ended: boolean;
}

export class SessionStore {
  private state: SessionState;
  private readonly listeners = new Set<() => void>();
  private leaving: Leaving | null = null;

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

  /**
   * The server says the login of `token` ended: an HTTP 401, or on the live socket the login's own
   * REVOKED event or the close with 4401. Another device logged this one out, unless this tab is
   * logging itself out, which ends the session with its own notice (see `leave`). `end` is why, when
   * the server said (the 401's `extensions.reason`, the REVOKED event's `revokedReason`, the reason
   * codes of the 4401 close): the notice tells the user.
   */
  loginEnded(token: string | null, end: SessionEnd | null = null): void {
    if (this.leaving !== null && this.leaving.token === token) {
      this.leaving.ended = true;
      return;
    }
    this.end(token, signedOutNotice(end));
  }

  /**
   * This tab logs itself out: `logOut` runs the mutation, then the session ends with `notice`. The
   * socket may announce the end of this login before the mutation's answer arrives; that must not
   * read as "signed out on this device". If the mutation fails but the server said the login ended
   * anyway (a 401: it was already revoked), the session ends all the same.
   */
  async leave(token: string, notice: string, logOut: () => Promise<unknown>): Promise<void> {
    const leaving: Leaving = { token, ended: false };
    this.leaving = leaving;
    try {
      await logOut();
    } catch (error) {
      if (!leaving.ended) throw error;
    } finally {
      if (this.leaving === leaving) this.leaving = null;
    }
    this.end(token, notice);
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
