/** A token bucket: holds up to `burst` tokens, refilled continuously at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly rate: { readonly perSecond: number; readonly burst: number },
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = rate.burst;
    this.refilledAt = clock();
  }

  /** Takes one token; false when there is none left. */
  take(): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
