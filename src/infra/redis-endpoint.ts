import path from 'node:path';
import type { RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/config.schema';
import { rootLogger } from '../logging/logger';
import { EmbeddedRedis, ownerAlive, readOwner, startEmbeddedRedis } from './embedded-redis';
import { describeRedis, externalRedisOptions, redisOptionsFromUrl, sentinelOptions } from './redis-options';

export interface RedisEndpoint {
  /** What every client of this process connects with: one address, or the sentinels and master name. */
  options: RedisOptions;
  /** The Redis URL, when there is one address (REDIS_URL or the embedded server); unset with sentinels. */
  url?: string;
  /** For logs: where Redis is, without credentials. */
  label: string;
  embedded?: EmbeddedRedis;
}

/**
 * REDIS_SENTINELS when set (the sentinels name the primary; nothing is started here); else
 * REDIS_URL; otherwise the embedded server for DATA_DIR. If another live tsm-bridge
 * process on this machine runs it (DATA_DIR/redis/owner.json), that one is shared when
 * reuseRunning is set and refused otherwise (one embedded Redis per data folder).
 */
export async function resolveRedis(config: AppConfig, opts: { reuseRunning?: boolean } = {}): Promise<RedisEndpoint> {
  if (config.REDIS_SENTINELS) {
    const options = sentinelOptions(config);
    return { options, label: describeRedis(options) };
  }
  if (config.REDIS_URL) {
    const options = externalRedisOptions(config.REDIS_URL, config);
    return { options, url: config.REDIS_URL, label: describeRedis(options) };
  }
  const local = (url: string, embedded?: EmbeddedRedis): RedisEndpoint => {
    const options = redisOptionsFromUrl(url);
    return { options, url, label: describeRedis(options), embedded };
  };
  const dataDir = path.join(config.DATA_DIR, 'redis');
  const owner = readOwner(dataDir);
  if (opts.reuseRunning && owner && ownerAlive(owner)) {
    const url = `redis://127.0.0.1:${owner.port}`;
    if (await reachable(url)) return local(url);
  }
  const log = rootLogger().child({ component: 'embedded-redis' });
  const embedded = await startEmbeddedRedis({ dataDir, log: (msg) => log.warn(msg) });
  return local(embedded.url, embedded);
}

async function reachable(url: string): Promise<boolean> {
  const { default: Redis } = await import('ioredis');
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  r.on('error', () => undefined); // a server that is going away is expected; the failed connect answers the question
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
