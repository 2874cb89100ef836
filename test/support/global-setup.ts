import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedRedis } from '../../src/infra/embedded-redis';

/** One real Redis for the whole run; test files isolate themselves with their own queue prefix. */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_REDIS_URL) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsm-test-redis-'));
  const redis = await startEmbeddedRedis({ dataDir: dir });
  process.env.TEST_REDIS_URL = redis.url;
  (globalThis as { __tsmRedis?: typeof redis }).__tsmRedis = redis;
}
