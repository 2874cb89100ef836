import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { errorCode, RetryableError } from '../common/errors';
import { rootLogger } from '../logging/logger';

// Deletes the lock only if we still own it (a lock that expired may now belong to someone else).
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

type KeyLockRedis = Redis & { keyLockRelease(key: string, token: string): Promise<number> };

export interface KeyLockOptions {
  /** Wait before the first retry of a release that failed (Redis down); doubles up to releaseRetryMaxMs. */
  releaseRetryBaseMs?: number;
  releaseRetryMaxMs?: number;
}

/**
 * The waits between retries of a failed release: doubling from baseMs up to maxMs, and only as long
 * as the lock could still be held (their sum stays below its TTL; after that it has expired anyway).
 */
export function releaseRetryDelays(ttlMs: number, baseMs = 250, maxMs = 5_000): number[] {
  const delays: number[] = [];
  let sum = 0;
  for (let d = Math.max(1, baseMs); sum + d < ttlMs; d = Math.min(d * 2, maxMs)) {
    delays.push(d);
    sum += d;
  }
  return delays;
}

/**
 * A short Redis lock per idempotency key. The ledger alone cannot stop two workers that pick up the
 * same side effect at the same moment from both performing it; this lock makes them take turns, and
 * the second one then finds the first one's ledger entry.
 *
 * A release that fails (Redis down, a Sentinel failover) is retried in the background with backoff
 * until it gets through or the lock's TTL has passed, so the step's next attempt does not wait for the
 * TTL (~2 min for an eDoc filing) once Redis is back. Every attempt is compare-and-delete: a lock that
 * expired and was taken by another worker meanwhile is never deleted.
 */
export class KeyLock {
  private readonly pending = new Set<Promise<void>>();
  private readonly log = rootLogger().child({ component: 'key-lock' });
  private readonly redis: KeyLockRedis;

  constructor(
    redis: Redis,
    private readonly prefix = 'tsm',
    private readonly options: KeyLockOptions = {},
  ) {
    // EVALSHA through ioredis's script cache: the script text is not sent with every release.
    if (!('keyLockRelease' in redis)) redis.defineCommand('keyLockRelease', { numberOfKeys: 1, lua: RELEASE });
    this.redis = redis as KeyLockRedis;
  }

  async withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    const k = `${this.prefix}:lock:${key}`;
    const token = randomUUID();
    const ok = await this.redis.set(k, token, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') throw new RetryableError('another worker is performing this side effect', 'LOCKED');
    try {
      return await fn();
    } finally {
      await this.release(k, token, ttlMs);
    }
  }

  /** Resolves once no failed release is being retried any more (tests; shutdown may await it). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async release(k: string, token: string, ttlMs: number): Promise<void> {
    if (await this.tryRelease(k, token)) return;
    const retry = this.retryRelease(k, token, ttlMs).finally(() => this.pending.delete(retry));
    this.pending.add(retry);
  }

  private async retryRelease(k: string, token: string, ttlMs: number): Promise<void> {
    const delays = releaseRetryDelays(ttlMs, this.options.releaseRetryBaseMs, this.options.releaseRetryMaxMs);
    for (const delay of delays) {
      await new Promise<void>((r) => setTimeout(r, delay).unref());
      if (await this.tryRelease(k, token)) return;
    }
    // The key is not logged: idempotency keys carry note ids.
    this.log.warn({ attempts: delays.length + 1 }, 'lock release failed; the lock expires with its TTL');
  }

  /** True when Redis answered: the lock is deleted, or it had expired / belongs to someone else. */
  private async tryRelease(k: string, token: string): Promise<boolean> {
    try {
      await this.redis.keyLockRelease(k, token);
      return true;
    } catch (err) {
      this.log.debug({ code: errorCode(err) }, 'lock release failed; retrying');
      return false;
    }
  }
}
