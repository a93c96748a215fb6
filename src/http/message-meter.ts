import type { MessageRate } from '../config';
import { TokenBucket } from '../lib/token-bucket';

/**
 * Meters WebSocket messages: each socket has a bucket, and once signed in its user has one shared by
 * all of that user's sockets, so a socket (or a user opening many) cannot make the server parse and
 * validate messages without end.
 */
export class MessageMeter {
  private readonly users = new Map<string, { bucket: TokenBucket; sockets: number }>();

  constructor(private readonly rates: { readonly socket: MessageRate; readonly user: MessageRate }) {}

  /** A new socket's meter; `take()` is false when its message is over either rate. */
  socket(): SocketMeter {
    const bucket = new TokenBucket(this.rates.socket);
    let user: { bucket: TokenBucket; sockets: number } | null = null;
    let userId: string | null = null;
    return {
      take: () => bucket.take() && (user === null || user.bucket.take()),
      signedIn: (id) => {
        if (userId !== null) return;
        userId = id;
        user = this.users.get(id) ?? { bucket: new TokenBucket(this.rates.user), sockets: 0 };
        user.sockets += 1;
        this.users.set(id, user);
      },
      closed: () => {
        if (userId === null || user === null) return;
        user.sockets -= 1;
        if (user.sockets === 0) this.users.delete(userId);
        userId = null;
        user = null;
      },
    };
  }
}

export interface SocketMeter {
  take(): boolean;
  /** From now on its messages also count against this user's rate. */
  signedIn(userId: string): void;
  closed(): void;
}
