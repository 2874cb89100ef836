/**
 * Reads shared for a short window: a read (a promise) under a key serves every caller asking for the
 * same key within `windowMs`; a failed read is dropped at once, so the next caller reads again. The
 * map stays bounded: each kept read drops those older than the window and, beyond `max`, the oldest.
 * In memory only, in this process.
 */
export class RecentReads<T> {
  /** Oldest first: every read is re-inserted when kept. */
  private readonly kept = new Map<string, { readAt: number; value: Promise<T> }>();

  constructor(private readonly opts: { windowMs: number; max: number; now: () => number }) {}

  /** The read kept for `key` if it is fresh, else `read()`, kept for the next callers. */
  get(key: string, read: () => Promise<T>): Promise<T> {
    const hit = this.kept.get(key);
    if (hit && this.opts.now() - hit.readAt < this.opts.windowMs) return hit.value;
    const value = read();
    this.keep(key, value);
    return value;
  }

  /** A read made elsewhere that the next callers of `key` may use. */
  keep(key: string, value: Promise<T>): void {
    const { kept } = this;
    const now = this.opts.now();
    kept.delete(key);
    kept.set(key, { readAt: now, value });
    value.catch(() => kept.get(key)?.value === value && kept.delete(key));
    for (const [k, e] of kept) {
      if (now - e.readAt < this.opts.windowMs && kept.size <= this.opts.max) break;
      kept.delete(k);
    }
  }

  /** Drops the read kept for `key` (its source changed): the next caller reads again. */
  forget(key: string): void {
    this.kept.delete(key);
  }
}
