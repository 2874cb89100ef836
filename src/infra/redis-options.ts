import type { RedisOptions } from 'ioredis';

/** BullMQ takes ioredis options, not URLs: turn REDIS_URL into host/port/credentials. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/** Producers (API requests, schedulers) fail fast when Redis is down instead of queueing in memory. */
export const producerRedisOptions = (url: string): RedisOptions => ({
  ...redisOptionsFromUrl(url),
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
});

/** Workers block on Redis and must reconnect forever after a restart (BullMQ requires null here). */
export const workerRedisOptions = (url: string): RedisOptions => ({
  ...redisOptionsFromUrl(url),
  maxRetriesPerRequest: null,
  enableOfflineQueue: true,
  retryStrategy: (times) => Math.min(times * 200, 5000),
});
