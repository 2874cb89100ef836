import Redis from 'ioredis';
import { KeyLock, releaseRetryDelays } from '../../../src/ledger/key-lock';

/**
 * The side-effect lock against a real Redis. A Redis outage is simulated by a client whose release
 * (the `keyLockRelease` script command) rejects while the test says Redis is down: the release is retried once Redis answers
 * again, well before the lock's TTL, and never deletes a lock that has another owner by then.
 */
describe('KeyLock', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const prefix = `h21block${process.pid}x${Date.now().toString(36)}`;
  const TTL = 120_000; // the lock's own expiry plays no part in these tests
  let n = 0;
  const name = () => `effect:${++n}`;
  const keyOf = (k: string) => `${prefix}:lock:${k}`;
  afterAll(() => redis.quit());

  /** A client on the test Redis whose releases fail while `down` is true, or for the first `failures` calls. */
  function flaky(opts: { failures?: number } = {}) {
    const state = { down: false, releases: 0, failures: opts.failures ?? 0 };
    const client = new Proxy(redis, {
      get(target, prop, receiver) {
        if (prop === 'keyLockRelease') {
          return (...args: string[]) => {
            state.releases++;
            if (state.down || state.releases <= state.failures) return Promise.reject(new Error('Connection is closed.'));
            return (target as Redis & { keyLockRelease(...a: string[]): Promise<number> }).keyLockRelease(...args);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    return { client, state };
  }

  it('releases the lock at once when Redis answers', async () => {
    const lock = new KeyLock(redis, prefix);
    const k = name();
    expect(await lock.withLock(k, TTL, async () => 'done')).toBe('done');
    expect(await redis.exists(keyOf(k))).toBe(0);
  });

  it('a second taker meanwhile gets LOCKED', async () => {
    const lock = new KeyLock(redis, prefix);
    const k = name();
    await lock.withLock(k, TTL, async () => {
      await expect(lock.withLock(k, TTL, async () => 'twice')).rejects.toMatchObject({ code: 'LOCKED' });
    });
  });

  it('a release that fails is retried in the background; the lock is free long before its TTL', async () => {
    const { client, state } = flaky({ failures: 3 });
    const lock = new KeyLock(client as Redis, prefix, { releaseRetryBaseMs: 1, releaseRetryMaxMs: 20 });
    const k = name();
    // The step does not wait for the retries: withLock returns the result right after the failed release.
    expect(await lock.withLock(k, TTL, async () => 'sent')).toBe('sent');
    expect(state.releases).toBe(1);
    expect(await redis.exists(keyOf(k))).toBe(1);

    await lock.settled();
    expect(state.releases).toBe(4); // three failures, then the release that got through
    expect(await redis.exists(keyOf(k))).toBe(0);
    expect(await lock.withLock(k, TTL, async () => 'again')).toBe('again'); // the next attempt is not LOCKED
  });

  it('retries while Redis is down and releases once it is back', async () => {
    const { client, state } = flaky();
    const lock = new KeyLock(client as Redis, prefix, { releaseRetryBaseMs: 1, releaseRetryMaxMs: 10 });
    const k = name();
    state.down = true;
    await lock.withLock(k, TTL, async () => undefined);
    // Wait until a few retries have failed (a condition, not a sleep), then bring Redis back.
    await new Promise<void>((resolve) => {
      const check = () => (state.releases >= 4 ? resolve() : setImmediate(check));
      check();
    });
    expect(await redis.exists(keyOf(k))).toBe(1);
    state.down = false;
    await lock.settled();
    expect(await redis.exists(keyOf(k))).toBe(0);
  });

  it('never deletes a lock that another worker holds by the time the retry gets through', async () => {
    const { client, state } = flaky();
    const lock = new KeyLock(client as Redis, prefix, { releaseRetryBaseMs: 1, releaseRetryMaxMs: 10 });
    const k = name();
    state.down = true;
    await lock.withLock(k, TTL, async () => undefined);
    // Our lock expired during the outage and another worker took the key.
    await redis.set(keyOf(k), 'someone-else', 'PX', TTL);
    state.down = false;
    await lock.settled();
    expect(state.releases).toBeGreaterThan(1);
    expect(await redis.get(keyOf(k))).toBe('someone-else');
    await redis.del(keyOf(k));
  });

  it('gives up once the TTL has passed: the lock then expires by itself', async () => {
    const { client, state } = flaky();
    const lock = new KeyLock(client as Redis, prefix, { releaseRetryBaseMs: 1, releaseRetryMaxMs: 4 });
    const k = name();
    state.down = true;
    await lock.withLock(k, 30, async () => undefined);
    await lock.settled();
    expect(state.releases).toBe(1 + releaseRetryDelays(30, 1, 4).length);
    await redis.del(keyOf(k));
  });

  it('retry waits double up to the cap and stay within the TTL', () => {
    expect(releaseRetryDelays(10_000, 250, 5_000)).toEqual([250, 500, 1_000, 2_000, 4_000]);
    expect(releaseRetryDelays(30_000, 250, 5_000)).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000, 5_000]);
    expect(releaseRetryDelays(100, 250, 5_000)).toEqual([]);
    for (const ttl of [1, 999, 45_000, 125_000]) {
      expect(releaseRetryDelays(ttl).reduce((a, b) => a + b, 0)).toBeLessThan(ttl);
    }
  });
});
