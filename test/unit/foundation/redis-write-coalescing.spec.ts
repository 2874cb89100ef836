import net from 'node:net';
import Redis from 'ioredis';
import { coalesceWrites } from '../../../src/infra/redis-write-coalescing';
import { redisOptionsFromUrl } from '../../../src/infra/redis-options';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../../src/infra/embedded-redis';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Redis writes of one event-loop iteration leave in one socket write, with the same bytes in the same order. */
describe('coalesceWrites', () => {
  let server: net.Server;
  let received: Buffer[];
  let port: number;
  /** Both ends of every connection, destroyed after each test even when it fails midway. */
  let sockets: net.Socket[];

  beforeEach(async () => {
    received = [];
    sockets = [];
    server = net.createServer((s) => {
      sockets.push(s);
      s.on('data', (d) => received.push(d));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });

  afterEach(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  async function connected(): Promise<net.Socket> {
    const socket = net.createConnection({ port, host: '127.0.0.1' });
    sockets.push(socket);
    await new Promise((r) => socket.once('connect', r));
    return socket;
  }

  it('hands the writes of one loop iteration to the kernel once, in order; the next iteration writes again', async () => {
    const socket = coalesceWrites(await connected()) as net.Socket;
    const handed: number[] = [];
    const writev = socket._writev!.bind(socket);
    const writeOne = socket._write.bind(socket);
    socket._writev = (chunks, cb) => (handed.push(chunks.length), writev(chunks, cb));
    socket._write = (chunk, enc, cb) => (handed.push(1), writeOne(chunk, enc, cb));

    socket.write('*1\r\n$4\r\nPING\r\n');
    socket.write(Buffer.from('*2\r\n$3\r\nGET\r\n$1\r\na\r\n'));
    socket.write('*1\r\n$4\r\nPING\r\n');
    expect(handed).toEqual([]); // nothing yet: corked until the loop's check phase
    await new Promise((r) => setImmediate(r));
    expect(handed).toEqual([3]);

    socket.write('*1\r\n$4\r\nPING\r\n');
    await new Promise((r) => setImmediate(r));
    expect(handed).toEqual([3, 1]);

    // Two callbacks of one loop phase (here two timers that expire together) share the write.
    await new Promise<void>((resolve) => {
      setTimeout(() => socket.write('*1\r\n$4\r\nPING\r\n'), 0);
      setTimeout(() => {
        socket.write('*1\r\n$4\r\nPING\r\n');
        setImmediate(resolve);
      }, 0);
    });
    expect(handed).toEqual([3, 1, 2]);

    await new Promise<void>((r) => socket.end(r));
    const expected = `*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n${'*1\r\n$4\r\nPING\r\n'.repeat(4)}`;
    for (let i = 0; i < 100 && Buffer.concat(received).length < expected.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(Buffer.concat(received).toString()).toBe(expected);
  });
});

describe('a Redis client on the service options', () => {
  let redis: EmbeddedRedis;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'coalesce-'));
    redis = await startEmbeddedRedis({ dataDir: dir });
  });

  afterAll(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends many commands of one turn together and gets every reply, in order', async () => {
    const client = new Redis(redisOptionsFromUrl(redis.url));
    try {
      await client.ping();
      const socket = (client as unknown as { stream: net.Socket }).stream;
      let handed = 0;
      const writev = socket._writev!.bind(socket);
      socket._writev = (chunks, cb) => ((handed += 1), writev(chunks, cb));
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, i) => client.set(`k${i}`, String(i)).then(() => client.get(`k${i}`))),
      );
      expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
      // 50 SETs in one turn, then 50 GETs in the turn their replies arrived: a few writes, not 100.
      expect(handed).toBeGreaterThan(0);
      expect(handed).toBeLessThan(10);
    } finally {
      client.disconnect();
    }
  });
});
