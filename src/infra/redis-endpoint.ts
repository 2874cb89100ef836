import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/config.schema';
import { EmbeddedRedis, startEmbeddedRedis } from './embedded-redis';
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
 * REDIS_SENTINELS when set (the sentinels name the primary; nothing is started here); else REDIS_URL;
 * otherwise the embedded server for DATA_DIR. If another tsm-bridge process on this machine already
 * runs it (its port is in DATA_DIR/redis/port), that one is shared.
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
  const portFile = path.join(dataDir, 'port');
  if (opts.reuseRunning && existsSync(portFile)) {
    const url = `redis://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
    if (await reachable(url)) return local(url);
  }
  const embedded = await startEmbeddedRedis({ dataDir });
  writeFileSync(portFile, String(embedded.port));
  return local(embedded.url, embedded);
}

async function reachable(url: string): Promise<boolean> {
  const { default: Redis } = await import('ioredis');
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  r.on('error', () => undefined); // a stale port file is expected; the failed connect answers the question
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
