import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type net from 'node:net';
import { createEdocTransport } from '../../../adapters/edoc/edoc.auth';

/** The eDoc transport owns its keep-alive connections: close() (the client's shutdown) ends them. */
describe('eDoc transport', () => {
  let server: http.Server;
  let url: string;
  let sockets: net.Socket[];

  beforeEach(async () => {
    sockets = [];
    server = http.createServer((_req, res) => res.end('ok'));
    server.keepAliveTimeout = 60_000; // only the client's close ends the connection within the test
    server.on('connection', (s) => sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/edoc.asmx`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(['basic', 'ntlm'] as const)('%s: the connection stays open after a call and ends on close()', async (mode) => {
    const transport = createEdocTransport({ mode, user: 'u', password: 'p' });
    await transport.axios.post(url, '<x/>', transport.requestDefaults);
    expect(sockets).toHaveLength(1);
    const ended = new Promise((resolve) => sockets[0].once('close', resolve));
    expect(sockets[0].destroyed).toBe(false); // kept alive for the next call
    transport.close!();
    await ended;
  });
});
