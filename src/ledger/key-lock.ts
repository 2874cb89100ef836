import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RetryableError } from '../common/errors';

// Deletes the lock only if we still own it (a lock that expired may now belong to someone else).
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * A short Redis lock per idempotency key. The ledger alone cannot stop two workers that pick up the
 * same side effect at the same moment from both performing it; this lock makes them take turns, and
 * the second one then finds the first one's ledger entry.
 */
type KeyLockRedis = Redis & { keyLockRelease(key: string, token: string): Promise<number> };

export class KeyLock {
  private readonly redis: KeyLockRedis;

  constructor(
    redis: Redis,
    private readonly prefix = 'tsm',
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
      await this.redis.keyLockRelease(k, token).catch(() => undefined);
    }
  }
}
