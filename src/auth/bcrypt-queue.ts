import type { BcryptQueueLimits } from '../config';
import { passwordChecksBusy } from '../errors';
import { rateLimitKey } from './rate-limit-key';

/** Who asks for bcrypt work: the account it is for (a normalised email) and the client's IP address. */
export interface BcryptRequester {
  readonly account: string;
  readonly ip: string;
}

/** Until the first work has finished, the estimate of how long work holds its place (bcrypt at cost 12). */
const INITIAL_HOLD_MS = 500;
/** How much each finished piece of work moves the estimate: recent ones matter, one slow one does not dominate. */
const ESTIMATE_WEIGHT = 0.2;

/**
 * The bcrypt work of sign-ins (checked and waiting), bounded: at most `total` at once, of which at
 * most `perAccount` for one account and `perIp` from one client. Beyond that a request is refused at
 * once with 503 and Retry-After, rather than queued behind work that would keep every other sign-in
 * waiting for seconds: one source can fill its share, never the queue.
 */
export class BcryptQueue {
  private running = 0;
  private readonly byAccount = new Map<string, number>();
  private readonly byIp = new Map<string, number>();
  /** How long admitted work holds its place, waiting included: by then the queue has turned over. */
  private holdMs = INITIAL_HOLD_MS;

  constructor(private readonly limits: BcryptQueueLimits) {}

  async run<T>(requester: BcryptRequester, work: () => Promise<T>): Promise<T> {
    const client = rateLimitKey(requester.ip); // an IPv6 client by its /64, as the rate limits count it
    const account = this.byAccount.get(requester.account) ?? 0;
    const ip = this.byIp.get(client) ?? 0;
    if (this.running >= this.limits.total || account >= this.limits.perAccount || ip >= this.limits.perIp) {
      throw passwordChecksBusy(this.retryAfterSeconds());
    }
    this.running += 1;
    this.byAccount.set(requester.account, account + 1);
    this.byIp.set(client, ip + 1);
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.holdMs += (performance.now() - started - this.holdMs) * ESTIMATE_WEIGHT;
      this.running -= 1;
      release(this.byAccount, requester.account);
      release(this.byIp, client);
    }
  }

  /** About when the work queued now will have finished, in whole seconds (at least 1). */
  private retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.holdMs / 1000));
  }
}

function release(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}
