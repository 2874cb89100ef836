import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import axios from 'axios';
import { AXIOS_KEEP_ALIVE_MS } from '../../../adapters/shared/keep-alive-agents';
import { ResilientHttp } from '../../../adapters/shared/resilient-http';

/**
 * Node sets SO_KEEPALIVE again only when the asked probe delay changes. axios asks for 60 s on every
 * request; the pooling agent asks for its own keepAliveMsecs whenever it parks the socket. These
 * tests record what each connection is asked for: one delay per connection means one system call.
 */
describe('keep-alive agents', () => {
  let server: http.Server;
  let url: string;
  let asked: Map<net.Socket, Set<number>>;
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    server = http.createServer((_req, res) => res.setHeader('content-type', 'application/json').end('{"ok":true}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    asked = new Map();
    const original = net.Socket.prototype.setKeepAlive;
    spy = jest.spyOn(net.Socket.prototype, 'setKeepAlive').mockImplementation(function (this: net.Socket, enable, delay) {
      if (!asked.has(this)) asked.set(this, new Set());
      asked.get(this)!.add(delay ?? 0);
      return original.call(this, enable, delay);
    });
  });
  afterEach(() => spy.mockRestore());

  async function tenRequests(get: (path: string) => Promise<unknown>): Promise<void> {
    for (let i = 0; i < 10; i++) await get(`/r${i}`);
  }

  it('ResilientHttp asks each pooled connection for one probe delay only, the one axios asks for', async () => {
    const client = new ResilientHttp({ system: 'keepalive-test', baseURL: url, timeoutMs: 5000, concurrency: 1 });
    await tenRequests((p) => client.request({ url: p }));
    client.shutdown();
    expect(asked.size).toBe(1); // one connection, reused
    expect([...asked.values()].map((delays) => [...delays])).toEqual([[AXIOS_KEEP_ALIVE_MS]]);
  });

  it('node’s default agent would flip the delay on every request (what the agents avoid)', async () => {
    const plain = axios.create({ baseURL: url, httpAgent: new http.Agent({ keepAlive: true }) });
    await tenRequests((p) => plain.get(p));
    expect([...asked.values()].map((delays) => [...delays].sort((a, b) => a - b))).toEqual([[1000, AXIOS_KEEP_ALIVE_MS]]);
  });
});
