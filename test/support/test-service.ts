import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Role } from '../../src/app.module';
import type { AppConfig } from '../../src/config/config.schema';
import { loadConfig } from '../../src/config/load-config';
import { RunningService, startService } from '../../src/main';
import { TEST_NOW } from './test-clock';

let counter = 0;

/** A unique queue prefix and data dir per call, on the run's shared Redis. */
export function testConfig(env: Record<string, string> = {}): AppConfig {
  const prefix = `t${process.pid}x${Date.now().toString(36)}x${counter++}`;
  return loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: process.env.TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'tsm-test-data-')),
    PORT: '0',
    ADMIN_PASSWORD: 'test-admin-password',
    INTAKE_API_KEY: 'test-intake-key-0123456789',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    TSM_NOW: TEST_NOW,
    QUEUE_LOCK_MS: '2000',
    SHUTDOWN_GRACE_MS: '2000',
    // The locked-note watch would start after-meeting flows in every test that locks a note; tests of it turn it on.
    WATCH_INTERVAL_MS: '0',
    // Access tests send many refused sign-ins from one address on purpose; the limit has its own spec.
    AUTH_FAILURE_LIMIT: '0',
    ...env,
  });
}

export async function startTestService(
  role: Role = 'all',
  env: Record<string, string> = {},
  opts: { sandboxes?: boolean } = {},
): Promise<RunningService> {
  return startService({ role, config: testConfig(env), sandboxes: opts.sandboxes ?? true });
}

/** Polls until the check returns a truthy value (or throws after timeoutMs). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
