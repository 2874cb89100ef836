import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VansFaults, VansSandbox } from './vans-sandbox';

/**
 * The file-based VANS sandbox's control surface for tests and chaos runs in other processes,
 * on loopback only: GET /_sandbox/stats, GET|POST /_sandbox/faults (JSON), POST /_sandbox/reset.
 */
export interface VansSandboxHttp {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 10_000;

export async function startVansSandboxHttp(sandbox: VansSandbox, host: string, port = 0): Promise<VansSandboxHttp> {
  const server: Server = createServer((req, res) => {
    handle(sandbox, req, res).catch((err: Error) => send(res, 400, { error: err.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    port: actual,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(sandbox: VansSandbox, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
  if (route === 'GET /_sandbox/stats') return send(res, 200, sandbox.stats());
  if (route === 'GET /_sandbox/faults') return send(res, 200, sandbox.faults());
  if (route === 'POST /_sandbox/faults') return send(res, 200, sandbox.setFaults((await readJson(req)) as Partial<VansFaults>));
  if (route === 'POST /_sandbox/reset') {
    sandbox.resetStats();
    return send(res, 200, sandbox.stats());
  }
  send(res, 404, { error: 'not found' });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_BODY) throw new Error('body too large');
  }
  const parsed: unknown = JSON.parse(body || '{}');
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected a JSON object');
  return parsed;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
