import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { DURABLE_REDIS_ARGS, freePort } from '../../src/infra/embedded-redis';
import { eventually } from './test-service';

export const SENTINEL_MASTER = 'mymaster';

export interface SentinelSet {
  /** REDIS_SENTINELS for the service. */
  sentinels: string;
  primaryPort: number;
  replicaPort: number;
  /** The address the sentinels currently name as primary. */
  currentPrimaryPort(): Promise<number>;
  /** Waits until the replica acknowledged every write so far, then SIGKILLs the initial primary (no
   *  shutdown, no final AOF write): the crash a failover is for. */
  killPrimary(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real Redis primary, one replica and three redis-sentinel processes on free loopback ports, each
 * in its own temp directory. Sentinels rewrite their config file, so each gets a writable copy.
 * Short down-after/failover timeouts make a failover take seconds (Sentinel's protocol time).
 */
export async function startSentinelSet(): Promise<SentinelSet> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tsm-sentinel-'));
  const children: ChildProcess[] = [];
  const clients: Redis[] = [];
  const client = (port: number) => {
    const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined); // probes of a node that is still starting or was killed
    clients.push(c);
    return c;
  };
  const ping = async (port: number) => {
    const c = client(port);
    try {
      await c.connect();
      return (await c.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      c.disconnect();
    }
  };
  const run = (cmd: string, args: string[]) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    children.push(child);
    return child;
  };
  const redisNode = async (name: string, extra: string[]) => {
    const port = await freePort();
    const dir = path.join(root, name);
    mkdirSync(dir);
    run('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...DURABLE_REDIS_ARGS, ...extra]);
    await eventually(() => ping(port), 10_000);
    return port;
  };

  const stop = async () => {
    // Probes disconnect themselves; disconnecting an ended client again would leave ioredis' 2 s
    // disconnect timer running on a closed socket (jest: "did not exit one second after").
    for (const c of clients) if (c.status !== 'end') c.disconnect();
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(root, { recursive: true, force: true });
  };

  // A start that fails half-way must not leave servers behind.
  const started = async () => {
    const primaryPort = await redisNode('primary', []);
    const replicaPort = await redisNode('replica', ['--replicaof', '127.0.0.1', String(primaryPort)]);
    const primary = children[0];
    const sentinelPorts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = path.join(root, `sentinel-${i}`);
      mkdirSync(dir);
      const conf = path.join(dir, 'sentinel.conf');
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          'daemonize no',
          `dir ${dir}`,
          'loglevel warning',
          `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
          `sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
          '',
        ].join('\n'),
      );
      run('redis-sentinel', [conf]);
      sentinelPorts.push(port);
    }

    const sentinelInfo = async (port: number) => {
      const c = client(port);
      try {
        await c.connect();
        const flat = (await c.call('SENTINEL', 'MASTER', SENTINEL_MASTER)) as string[];
        const info: Record<string, string> = {};
        for (let i = 0; i < flat.length; i += 2) info[flat[i]] = flat[i + 1];
        return info;
      } finally {
        c.disconnect();
      }
    };
    // Ready for a failover once every sentinel sees the replica and the two other sentinels (hello messages).
    await eventually(
      async () => {
        for (const p of sentinelPorts) {
          const info = await sentinelInfo(p);
          if (Number(info['num-slaves']) < 1 || Number(info['num-other-sentinels']) < 2) return false;
        }
        return true;
      },
      30_000,
      200,
    );
    return { primaryPort, replicaPort, primary, sentinelPorts };
  };
  let nodes: Awaited<ReturnType<typeof started>>;
  try {
    nodes = await started();
  } catch (err) {
    await stop();
    throw err;
  }
  const { primaryPort, replicaPort, primary, sentinelPorts } = nodes;

  return {
    sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
    primaryPort,
    replicaPort,
    currentPrimaryPort: async () => {
      const c = client(sentinelPorts[0]);
      try {
        await c.connect();
        const [, port] = (await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER)) as [string, string];
        return Number(port);
      } finally {
        c.disconnect();
      }
    },
    killPrimary: async () => {
      // Replication is asynchronous: a write the primary acknowledged but had not yet sent on is
      // lost with it (Redis' documented window; docs/operations.md). The test is about the service
      // recovering, so the replica must hold everything written so far. WAIT counts the replicas
      // that acknowledged this client's last write, and a write's offset covers every write before
      // it, so: write a marker, WAIT for the replica, then kill at once.
      const c = client(primaryPort);
      try {
        await c.connect();
        await eventually(
          async () => {
            await c.set('tsm-sentinel-set:sync', String(Date.now()));
            return Number(await c.call('WAIT', '1', '1000')) >= 1;
          },
          30_000,
          10,
        );
        const child = primary!;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      } finally {
        c.disconnect();
      }
    },
    stop,
  };
}
