import path from 'node:path';
import type { AppConfig } from '../config/config.schema';
import { rootLogger } from '../logging/logger';
import { EmbeddedRedis, ownerAlive, readOwner, startEmbeddedRedis } from './embedded-redis';

export interface RedisEndpoint {
  url: string;
  embedded?: EmbeddedRedis;
}

/**
 * REDIS_URL when set; otherwise the embedded server for DATA_DIR. If another live tsm-bridge
 * process on this machine runs it (DATA_DIR/redis/owner.json), that one is shared when
 * reuseRunning is set and refused otherwise (one embedded Redis per data folder).
 */
export async function resolveRedis(config: AppConfig, opts: { reuseRunning?: boolean } = {}): Promise<RedisEndpoint> {
  if (config.REDIS_URL) return { url: config.REDIS_URL };
  const dataDir = path.join(config.DATA_DIR, 'redis');
  const owner = readOwner(dataDir);
  if (opts.reuseRunning && owner && ownerAlive(owner)) {
    const url = `redis://127.0.0.1:${owner.port}`;
    if (await reachable(url)) return { url };
  }
  const log = rootLogger().child({ component: 'embedded-redis' });
  const embedded = await startEmbeddedRedis({ dataDir, log: (msg) => log.warn(msg) });
  return { url: embedded.url, embedded };
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
