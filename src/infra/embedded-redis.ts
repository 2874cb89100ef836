import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const REDIS_INSTALL_HINT = 'redis-server not found. Install it with: sudo apt-get install -y redis-server';
export const FLOCK_INSTALL_HINT =
  'flock not found (it guards the embedded Redis folder). Install it with: sudo apt-get install -y util-linux';

/** A start-up refusal with a stable code, so the CLI can print one clear line. */
export class EmbeddedRedisError extends Error {
  constructor(
    message: string,
    readonly code: 'REDIS_DIR_IN_USE' | 'REDIS_DIR_LOCKED' | 'REDIS_NOT_INSTALLED',
  ) {
    super(message);
    this.name = 'EmbeddedRedisError';
  }
}

export interface EmbeddedRedis {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
  /** Stops and starts the same server (same port, same AOF): used to prove recovery. */
  restart(): Promise<void>;
}

/** Who runs the embedded Redis of a folder: DATA_DIR/redis/owner.json. */
export interface RedisOwner {
  pid: number;
  /** The owner's start time (Linux /proc), so a recycled pid is not mistaken for the owner. */
  startTime: string | null;
  port: number;
}

/**
 * How every Redis this project starts runs (the embedded one, the test Sentinel set): AOF fsynced every
 * second so queued jobs survive a crash, never evict (BullMQ requires it), no RDB snapshots, in the
 * foreground, quiet.
 */
export const DURABLE_REDIS_ARGS: readonly string[] = [
  '--appendonly',
  'yes',
  '--appendfsync',
  'everysec',
  '--maxmemory-policy',
  'noeviction',
  '--save',
  '',
  '--daemonize',
  'no',
  '--loglevel',
  'warning',
];

const LOCK_FILE = 'redis.lock';
const PID_FILE = 'redis.pid';
const OWNER_FILE = 'owner.json';
const PORT_FILE = 'port';
/** sh exits with this when another redis-server holds the folder's lock. */
const LOCKED_EXIT = 75;

/*
 * The watchdog. redis-server runs under a small sh that
 *  - takes an exclusive flock on DATA_DIR/redis/redis.lock and hands the locked descriptor to
 *    redis-server, so the lock lives exactly as long as that server (the kernel drops it when the
 *    server exits, however it exits): a second server on the folder cannot start;
 *  - writes owner.json (our pid, start time, port) only once it holds the lock;
 *  - reads its stdin, a pipe whose only writer is this Node process. When this process ends (exit,
 *    crash, SIGKILL, OOM kill) the kernel closes the pipe, `cat` sees end of file and the server gets
 *    SIGTERM: a clean shutdown that flushes the AOF.
 * Chosen over polling the parent pid (no timer, no delay, no pid-reuse question) and over prctl
 * PDEATHSIG via setpriv (Linux only, and tied to the thread that spawned). The sh costs ~1 MB.
 * What it cannot cover (the sh itself SIGKILLed) is found at the next start: see retireLeftover.
 */
const WATCHDOG_SH = `
dir=$1; owner=$2; shift 2
exec 9>>"$dir/${LOCK_FILE}"
flock -n 9 || exit ${LOCKED_EXIT}
printf '%s' "$owner" > "$dir/${OWNER_FILE}.tmp" && mv "$dir/${OWNER_FILE}.tmp" "$dir/${OWNER_FILE}"
exec 8<&0
redis-server "$@" </dev/null >/dev/null 2>&1 8<&- &
r=$!
exec 9>&-
{ cat >/dev/null; kill -TERM "$r" 2>/dev/null; } <&8 &
w=$!
exec 8<&-
wait "$r"; s=$?
kill "$w" 2>/dev/null
exit $s
`;

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function flockAvailable(): boolean {
  return spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One RESP command over a raw socket; null when nothing answers. Raw so this file needs no client. */
function command(port: number, args: string[], timeoutMs = 1000): Promise<string | null> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    const done = (v: string | null) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    s.once('connect', () => s.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
    s.on('data', (d) => {
      buf += d.toString();
      // Enough for PING (+PONG) and CONFIG GET dir (a two-element array): stop when complete.
      if (buf.startsWith('+') || buf.startsWith('-') || (buf.startsWith('*') && buf.split('\r\n').length >= 6)) done(buf);
    });
    s.once('error', () => done(null));
    s.once('close', () => done(buf || null));
  });
}

/** The directory the redis-server on `port` works in, or null when no Redis answers there. */
async function redisDirOnPort(port: number): Promise<string | null> {
  const reply = await command(port, ['CONFIG', 'GET', 'dir']);
  if (!reply?.startsWith('*')) return null;
  return reply.split('\r\n')[4] ?? null;
}

async function waitForPort(port: number, attempts: number, child: ChildProcess): Promise<'up' | 'locked'> {
  for (let i = 0; i < attempts; i++) {
    if (child.exitCode === LOCKED_EXIT) return 'locked';
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if ((await command(port, ['PING'], 500))?.startsWith('+PONG')) return 'up';
    await sleep(50);
  }
  throw new Error(`redis-server did not answer on port ${port} within ${attempts * 50} ms`);
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); null off Linux. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readOwner(dataDir: string): RedisOwner | null {
  try {
    const o = JSON.parse(readFileSync(path.join(dataDir, OWNER_FILE), 'utf8')) as RedisOwner;
    return Number.isInteger(o.pid) && Number.isInteger(o.port) ? o : null;
  } catch {
    return null;
  }
}

/** True when the process that started the folder's Redis still runs (same pid and start time). */
export function ownerAlive(owner: RedisOwner): boolean {
  if (!processAlive(owner.pid)) return false;
  return owner.startTime === null || processStartTime(owner.pid) === owner.startTime;
}

function readPid(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** The redis-server whose pid file is in dataDir, if that pid still is a server working in dataDir. */
function leftoverServerPid(dataDir: string): number | null {
  const pid = readPid(path.join(dataDir, PID_FILE));
  if (pid === null || !processAlive(pid)) return null;
  try {
    // A recycled pid is some other program: only a process working in this folder is ours to stop.
    return readlinkSync(`/proc/${pid}/cwd`) === dataDir ? pid : null;
  } catch {
    return null; // off Linux we cannot tell: leave it to SHUTDOWN over the port
  }
}

/**
 * A Redis left by a run that is gone (its owner crashed and the watchdog could not act, or a
 * version without the watchdog): shut it down cleanly, so the AOF is flushed and closed before a
 * new server opens it. Reusing it was the alternative, but it would then run with no watchdog.
 */
async function retireLeftover(dataDir: string, log: (msg: string) => void): Promise<void> {
  const owner = readOwner(dataDir);
  const port = owner?.port ?? readPid(path.join(dataDir, PORT_FILE));
  if (port !== null && (await redisDirOnPort(port)) === dataDir) {
    log(`embedded Redis left running on port ${port} by a previous run: shutting it down`);
    await command(port, ['SHUTDOWN'], 5000); // answers nothing: the server closes the connection as it exits
  } else {
    const pid = leftoverServerPid(dataDir);
    if (pid !== null) {
      log(`embedded Redis (pid ${pid}) left by a previous run does not answer: stopping it`);
      process.kill(pid, 'SIGTERM');
    }
  }
}

/**
 * A private redis-server on a free loopback port with durable settings (AOF, noeviction), so
 * BullMQ never silently loses keys. One per folder: a folder whose server is run by a live process
 * is refused (REDIS_DIR_IN_USE); one left by a crashed run is shut down cleanly first. The server
 * ends when this process ends, however it ends (see WATCHDOG_SH).
 */
export async function startEmbeddedRedis(opts: { dataDir: string; port?: number; log?: (msg: string) => void }): Promise<EmbeddedRedis> {
  if (!redisServerAvailable()) throw new EmbeddedRedisError(REDIS_INSTALL_HINT, 'REDIS_NOT_INSTALLED');
  if (!flockAvailable()) throw new EmbeddedRedisError(FLOCK_INSTALL_HINT, 'REDIS_NOT_INSTALLED');
  const log = opts.log ?? (() => undefined);
  mkdirSync(opts.dataDir, { recursive: true });
  // Real path: redis-server reports (CONFIG GET dir) and works in the resolved folder.
  const dataDir = realpathSync(opts.dataDir);
  const port = opts.port ?? (await freePort());
  let child: ChildProcess | undefined;

  const refuseIfOwned = () => {
    const owner = readOwner(dataDir);
    if (owner && ownerAlive(owner)) {
      throw new EmbeddedRedisError(
        `${dataDir} already has an embedded Redis (port ${owner.port}), run by process ${owner.pid}; one embedded Redis per data folder`,
        'REDIS_DIR_IN_USE',
      );
    }
  };

  const launch = async (): Promise<'up' | 'locked'> => {
    const owner: RedisOwner = { pid: process.pid, startTime: processStartTime(process.pid), port };
    child = spawn(
      'sh',
      [
        '-c',
        WATCHDOG_SH,
        'tsm-redis-watchdog',
        dataDir,
        JSON.stringify(owner),
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dataDir,
        '--pidfile',
        path.join(dataDir, PID_FILE),
        '--protected-mode',
        'yes',
        ...DURABLE_REDIS_ARGS,
      ],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    // The pipe is the watchdog's lifeline; an EPIPE after the watchdog is gone must not crash us.
    child.stdin!.on('error', () => undefined);
    const state = await waitForPort(port, 200, child);
    if (state === 'up') writeFileSync(path.join(dataDir, PORT_FILE), String(port));
    return state;
  };

  const halt = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.stdin!.end(); // the same path as our death: the watchdog stops the server cleanly
    // unref: a pending 5 s timer would otherwise keep the parent (e.g. jest) alive after a clean stop.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    if (c.exitCode === null && c.signalCode === null) {
      const pid = leftoverServerPid(dataDir);
      if (pid !== null) process.kill(pid, 'SIGKILL');
      c.kill('SIGKILL');
    }
  };

  // A server left by a crashed run holds the lock; give it up to ~10 s to flush and exit.
  refuseIfOwned();
  await retireLeftover(dataDir, log);
  let state = await launch();
  for (let round = 0; state === 'locked' && round < 50; round++) {
    refuseIfOwned();
    if (round === 25) {
      const pid = leftoverServerPid(dataDir);
      if (pid !== null) {
        log(`embedded Redis (pid ${pid}) left by a previous run did not stop on SIGTERM: killing it`);
        process.kill(pid, 'SIGKILL');
      }
    } else if (round % 5 === 0) await retireLeftover(dataDir, log);
    await sleep(200);
    state = await launch();
  }
  if (state === 'locked') {
    throw new EmbeddedRedisError(
      `${dataDir} is locked by a redis-server that could not be stopped; see ${path.join(dataDir, PID_FILE)}`,
      'REDIS_DIR_LOCKED',
    );
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dataDir,
    stop: halt,
    restart: async () => {
      await halt();
      if ((await launch()) === 'locked')
        throw new EmbeddedRedisError(`${dataDir} was taken by another server during restart`, 'REDIS_DIR_LOCKED');
    },
  };
}

/** For the CLI and tests: the owner record and server pid of a folder, if any. */
export function embeddedRedisFiles(dataDir: string): { owner: RedisOwner | null; serverPid: number | null; locked: boolean } {
  const dir = realpathSync(dataDir);
  const locked =
    existsSync(path.join(dir, LOCK_FILE)) &&
    spawnSync('flock', ['-n', path.join(dir, LOCK_FILE), 'true'], { stdio: 'ignore' }).status !== 0;
  return { owner: readOwner(dir), serverPid: leftoverServerPid(dir), locked };
}
