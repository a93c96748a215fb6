/** Ids remembered for a while, then forgotten: a set whose entries expire. */
export class RecentIds {
  /** Insertion order is expiry order, since every entry lives equally long. */
  private readonly expiries = new Map<string, number>();

  constructor(private readonly ttlMs: number) {}

  add(ids: Iterable<string>, now = Date.now()): void {
    this.forgetExpired(now);
    for (const id of ids) {
      this.expiries.delete(id);
      this.expiries.set(id, now + this.ttlMs);
    }
  }

  /** When the id was last added, while it is still remembered. */
  addedAt(id: string, now = Date.now()): number | null {
    const expiry = this.expiries.get(id);
    return expiry !== undefined && expiry > now ? expiry - this.ttlMs : null;
  }

  has(id: string, now = Date.now()): boolean {
    const expiry = this.expiries.get(id);
    return expiry !== undefined && expiry > now;
  }

  private forgetExpired(now: number): void {
    for (const [id, expiry] of this.expiries) {
      if (expiry > now) return;
      this.expiries.delete(id);
    }
  }
}
