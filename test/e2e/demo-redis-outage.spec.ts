import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedRedis, startEmbeddedRedis } from '../../src/infra/embedded-redis';
import { eventually } from '../support/test-service';

/**
 * `tsm-bridge demo` whatever Redis does: Redis stopped right after the service started and not back
 * while the demo runs. The CLI must end – exit code 1 and a one-line reason – within its timeout, its
 * own stop included, instead of hanging on calls no Redis answers or on clients that keep
 * reconnecting. Run as a real process, since "the process exits" is the point.
 */
const ROOT = path.join(__dirname, '..', '..');

describe('demo with Redis going away', () => {
  let redis: EmbeddedRedis;
  beforeAll(async () => {
    redis = await startEmbeddedRedis({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'tsm-demo-outage-redis-')) });
  });
  afterAll(() => redis?.stop());

  it('exits 1 with a reason within its timeout when Redis stops mid-run and stays down', async () => {
    const TIMEOUT_S = 8;
    const child = spawn(
      process.execPath,
      ['-r', path.join(ROOT, 'test/support/ts-register.js'), path.join(ROOT, 'src/cli.ts'), 'demo', '--timeout', String(TIMEOUT_S)],
      {
        cwd: ROOT,
        env: { ...process.env, REDIS_URL: redis.url, TSM_NOW: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let outageAt: number | undefined;
    let outage: Promise<void> | undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!outage && stderr.includes('agenda: collecting')) {
        outageAt = Date.now();
        outage = redis.stop();
      }
    });
    child.stdout.resume();
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const code = await exit;
      const exitedAt = Date.now();
      expect(outageAt).toBeDefined();
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /^error: (Redis became unreachable \(\w+\) \(during: agenda: collecting|timed out after 8 s \(agenda: collecting)/m,
      );
      // Measured from the outage, which is after the demo's clock started; timers may fire late on a loaded machine.
      expect(exitedAt - outageAt!).toBeLessThan(TIMEOUT_S * 1000 + 3000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await outage;
      await redis.restart();
    }
    await eventually(() => child.exitCode !== null || child.signalCode !== null);
  }, 90_000);
});
