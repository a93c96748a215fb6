/**
 * The events of one subscription, queued until graphql-ws asks for the next one. graphql-ws asks
 * only after the previous event has been written to the socket, which is what `drained` waits for.
 */
export class EventStream<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  /** Set while the consumer waits for an event and the queue is empty. */
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private finished = false;
  private readonly drainWaiters: Array<() => void> = [];

  /**
   * @param capacity events held for a consumer that does not keep up; push refuses more.
   * @param onFinish called once, when the consumer stops (complete, socket closed) or `finish` is called.
   */
  constructor(
    private readonly capacity: number,
    private readonly onFinish: () => void,
  ) {}

  get isFinished(): boolean {
    return this.finished;
  }

  /** Queues an event; false when the queue is full (the consumer is not reading). */
  push(value: T): boolean {
    if (this.finished) return true;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
      return true;
    }
    if (this.queue.length >= this.capacity) return false;
    this.queue.push(value);
    return true;
  }

  /** Resolves when every pushed event has been taken and handled (the consumer asked for more), or the stream finished. */
  drained(): Promise<void> {
    if (this.isDrained()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    const next = new Promise<IteratorResult<T>>((resolve) => (this.waiting = resolve));
    this.notifyDrained();
    return next;
  }

  return(): Promise<IteratorResult<T>> {
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the stream: queued events are dropped, a waiting consumer is told it is done. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.queue.length = 0;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.({ value: undefined, done: true });
    this.notifyDrained();
    this.onFinish();
  }

  private isDrained(): boolean {
    return this.finished || (this.waiting !== null && this.queue.length === 0);
  }

  private notifyDrained(): void {
    if (!this.isDrained()) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}
