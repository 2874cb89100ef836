import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { EmbeddedRedis, freePort, readOwner, startEmbeddedRedis } from '../../../src/infra/embedded-redis';
import { killServiceProcesses, ServiceProcess, serviceProcessEnv } from '../../support/service-process';
import { eventually } from '../../support/test-service';

/** pids of the redis-servers working in `dir` (Linux /proc: the server chdirs to its --dir). */
function serversIn(dir: string): number[] {
  const real = realpathSync(dir);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'redis-server') continue;
      if (readlinkSync(`/proc/${entry}/cwd`) === real) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

async function withClient<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

/** A pid that certainly is not running: a process that has already exited. */
function deadPid(): number {
  return spawnSync('true').pid!;
}

describe('one embedded Redis per data folder', () => {
  const started: EmbeddedRedis[] = [];
  const orphans: ChildProcess[] = [];
  afterAll(async () => {
    await killServiceProcesses();
    for (const r of started) await r.stop();
    for (const o of orphans) o.kill('SIGKILL');
  });

  it('SIGKILL of the service three times, restarted each time: its Redis ends with it, one server on the folder, no data lost', async () => {
    const env = serviceProcessEnv({ REDIS_URL: '' });
    const redisDir = path.join(env.DATA_DIR, 'redis');
    let svc = await ServiceProcess.start({ role: 'all', env });
    const firstPort = readOwner(redisDir)!.port;
    await withClient(firstPort, (r) => r.set('kept-across-kills', 'yes'));

    for (let kill = 1; kill <= 3; kill++) {
      expect(serversIn(redisDir)).toHaveLength(1);
      await svc.kill();
      // The watchdog, not a shutdown hook (none runs on SIGKILL), ends the server.
      await eventually(() => serversIn(redisDir).length === 0, 15_000, 50);
      svc = await svc.restart();
      expect(serversIn(redisDir)).toHaveLength(1);
      const owner = readOwner(redisDir)!;
      expect(owner.pid).toBe(svc.pid);
      expect(await withClient(owner.port, (r) => r.get('kept-across-kills'))).toBe('yes');
    }
    await svc.stop();
    expect(serversIn(redisDir)).toHaveLength(0);
  }, 120_000);

  it('refuses a second server on a folder whose server runs', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsm-embedded-one-'));
    const first = await startEmbeddedRedis({ dataDir: dir });
    started.push(first);
    await expect(startEmbeddedRedis({ dataDir: dir })).rejects.toMatchObject({ code: 'REDIS_DIR_IN_USE' });
    expect(serversIn(dir)).toHaveLength(1);
  });

  it.each([
    ['holding the folder lock (its watchdog was killed)', true],
    ['without the lock (started by a version before the watchdog)', false],
  ])('a server left by a crashed run, %s, is shut down cleanly and its data kept', async (_label, withLock) => {
    const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'tsm-embedded-left-')));
    const port = await freePort();
    const server = `exec redis-server --port ${port} --bind 127.0.0.1 --dir '${dir}' --pidfile '${dir}/redis.pid' --appendonly yes --save ''`;
    const orphan = spawn('sh', ['-c', withLock ? `exec 9>>'${dir}/redis.lock'; flock -n 9 || exit 9; ${server}` : server], {
      stdio: 'ignore',
    });
    orphans.push(orphan);
    await eventually(async () => (await withClient(port, (r) => r.ping()).catch(() => null)) === 'PONG', 10_000);
    await withClient(port, (r) => r.set('left-behind', 'still here'));
    writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ pid: deadPid(), startTime: null, port }));
    writeFileSync(path.join(dir, 'port'), String(port));

    const next = await startEmbeddedRedis({ dataDir: dir });
    started.push(next);
    expect(orphan.exitCode ?? (await new Promise((r) => orphan.once('exit', r)))).toBe(0); // SHUTDOWN, not a kill
    expect(serversIn(dir)).toHaveLength(1);
    expect(await withClient(next.port, (r) => r.get('left-behind'))).toBe('still here');
  });
});
