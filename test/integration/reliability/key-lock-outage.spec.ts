import net from 'node:net';
import Redis from 'ioredis';
import { producerRedisOptions, redisOptionsFromUrl } from '../../../src/infra/redis-options';
import { KeyLock } from '../../../src/ledger/key-lock';
import { eventually } from '../../support/test-service';

/**
 * A TCP relay to the test Redis that the test cuts and restores: a network outage or failover as the
 * client sees it (refused connections, then the same address answering again), while the lock key
 * itself stays in Redis as it does on a promoted replica.
 */
class Relay {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    const server = net.createServer((inbound) => {
      const outbound = net.connect(this.target);
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * A lock whose release fails because Redis went away (issue 21: after a Sentinel failover the lock
 * held its step until its TTL, up to ~2 min). The background retry frees it as soon as the client has
 * reconnected, long before the TTL.
 */
describe('KeyLock across a Redis outage', () => {
  const target = redisOptionsFromUrl(process.env.TEST_REDIS_URL!);
  const relay = new Relay({ host: target.host ?? '127.0.0.1', port: target.port ?? 6379 });
  const admin = new Redis(process.env.TEST_REDIS_URL!);
  const prefix = `h21bko${process.pid}x${Date.now().toString(36)}`;
  const TTL = 120_000;
  let client: Redis | undefined;
  afterAll(async () => {
    client?.disconnect();
    await relay.down();
    await admin.del(`${prefix}:lock:effect:1`);
    await admin.quit();
  });

  it('frees the lock once Redis answers again, without waiting for its TTL', async () => {
    await relay.up();
    // The client settings the service's stores use: fail fast while Redis is away, reconnect by itself.
    client = new Redis(producerRedisOptions({ ...target, host: '127.0.0.1', port: relay.port }));
    client.on('error', () => undefined);
    await eventually(() => client!.status === 'ready');
    const lock = new KeyLock(client, prefix, { releaseRetryBaseMs: 20, releaseRetryMaxMs: 200 });
    const key = `${prefix}:lock:effect:1`;

    const result = await lock.withLock('effect:1', TTL, async () => {
      await relay.down(); // Redis goes away while the side effect runs
      await eventually(() => client!.status !== 'ready');
      return 'performed';
    });
    expect(result).toBe('performed'); // the step is not held up by the failed release
    expect(await admin.exists(key)).toBe(1);
    expect(await admin.pttl(key)).toBeGreaterThan(TTL / 2); // it would hold the step for a long time

    await relay.up();
    await lock.settled();
    expect(await admin.exists(key)).toBe(0);
    expect(await lock.withLock('effect:1', TTL, async () => 'next attempt')).toBe('next attempt');
  });
});
