import { Semaphore as AsyncSemaphore } from 'async-mutex';

/**
 * Bounds how many calls to one external system are in flight at once. Backed by async-mutex: the
 * hand-written version released a slot and then woke a waiter, so a caller arriving in between got
 * in too (limit 1 → two calls at once). async-mutex hands the slot straight to the next waiter.
 */
export class Semaphore {
  private readonly inner: AsyncSemaphore;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a concurrency limit must be a whole number ≥ 1, got ${limit}`);
    this.inner = new AsyncSemaphore(limit);
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.inner.runExclusive(() => fn());
  }
}
