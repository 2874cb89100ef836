import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config/config.schema';
import { EmbeddedRedis, startEmbeddedRedis } from './embedded-redis';

export interface RedisEndpoint {
  url: string;
  embedded?: EmbeddedRedis;
}

/**
 * REDIS_URL when set; otherwise the embedded server for DATA_DIR. If another tsm-bridge process on
 * this machine already runs it (its port is in DATA_DIR/redis/port), that one is shared.
 */
export async function resolveRedis(config: AppConfig, opts: { reuseRunning?: boolean } = {}): Promise<RedisEndpoint> {
  if (config.REDIS_URL) return { url: config.REDIS_URL };
  const dataDir = path.join(config.DATA_DIR, 'redis');
  const portFile = path.join(dataDir, 'port');
  if (opts.reuseRunning && existsSync(portFile)) {
    const url = `redis://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
    if (await reachable(url)) return { url };
  }
  const embedded = await startEmbeddedRedis({ dataDir });
  writeFileSync(portFile, String(embedded.port));
  return { url: embedded.url, embedded };
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
