import { randomBytes, timingSafeEqual } from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Seed } from '../../../schemas/sandbox-seed.schema';
import type { EdocCodeLists } from '../edoc.code-lists';
import { buildFaultEnvelope, buildResponseEnvelope, EDOC_OPERATIONS, EdocOperation, readRequest, TEMPURI_NS } from '../edoc.envelope';
import {
  BusinessFailure,
  businessErrorXml,
  createDocument,
  getItemList,
  getSystemInfo,
  OperationContext,
  searchCaseFile,
  searchDocument,
  SearchUserShape,
} from './edoc-sandbox.operations';
import { EdocSandboxStore } from './edoc-sandbox.store';
import { SeededRandom } from '../../shared/seeded-random';

export interface EdocSandboxFaults {
  /** Delay before every answer. */
  latencyMs: number;
  /** Share of calls answered with a SOAP server fault, without doing anything. */
  errorRate: number;
  /** Share of uploads stored but never answered ("commit then time out"). */
  commitTimeoutRate: number;
}

/** A fault for the next matching call, for tests that need one exact failure. */
export interface ScriptedFault {
  operation?: EdocOperation;
  fault: 'soap-fault' | 'commit-timeout' | 'drop' | 'business-error' | 'no-result';
}

export interface EdocSandboxOptions {
  seed: Seed;
  codes: EdocCodeLists;
  cprField: string;
  /** Where searches must carry the UserIdentifier (EDOC_SEARCH_USER_ID_NS / _POSITION); default edoc, inside the search element. */
  searchUser?: SearchUserShape;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  randomSeed?: number;
  faults?: Partial<EdocSandboxFaults>;
}

export interface RunningEdocSandbox {
  /** The SOAP endpoint, …/edoc.asmx. */
  url: string;
  baseUrl: string;
  user: string;
  password: string;
  store: EdocSandboxStore;
  stop(): Promise<void>;
}

const MAX_BODY = 50 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A loopback HTTP server that speaks eDoc's SOAP 1.1 edoc.asmx for the three operations we use, with
 * cases from the sandbox seed, documents in memory, Basic authentication, and fault knobs whose random
 * draws come from a seeded PRNG so chaos runs repeat exactly.
 */
export async function startEdocSandbox(opts: EdocSandboxOptions): Promise<RunningEdocSandbox> {
  const user = opts.user ?? 'tsm-sandbox';
  const password = opts.password ?? randomBytes(18).toString('base64url');
  const randomSeed = opts.randomSeed ?? 42;
  const initialFaults: EdocSandboxFaults = { latencyMs: 0, errorRate: 0, commitTimeoutRate: 0, ...opts.faults };
  const store = new EdocSandboxStore(opts.seed, randomSeed);
  const ctx: OperationContext = {
    store,
    codes: opts.codes,
    cprField: opts.cprField,
    searchUser: opts.searchUser ?? { ns: 'edoc', position: 'search' },
    baseUrl: '', // set once the server listens
  };
  let faults = { ...initialFaults };
  let script: ScriptedFault[] = [];
  let rng = new SeededRandom(randomSeed);
  const hanging = new Set<ServerResponse>();
  const expected = Buffer.from(`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);

  const authorised = (req: IncomingMessage) => {
    const got = Buffer.from(req.headers.authorization ?? '');
    return got.length === expected.length && timingSafeEqual(got, expected);
  };

  const sendXml = (res: ServerResponse, status: number, xml: string) => {
    res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8' });
    res.end(xml);
  };
  const sendJson = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  /** Keeps the connection open without ever answering; the client's timeout ends it. */
  const hang = (res: ServerResponse) => {
    hanging.add(res);
    res.on('close', () => hanging.delete(res));
  };
  const takeScripted = (op: string): ScriptedFault | undefined => {
    const i = script.findIndex((s) => !s.operation || s.operation === op);
    return i < 0 ? undefined : script.splice(i, 1)[0];
  };

  async function soap(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    if (!authorised(req)) {
      store.countFault('authFailures');
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="eDoc sandbox"' });
      res.end();
      return;
    }
    if (!/^text\/xml\b/i.test(req.headers['content-type'] ?? '')) {
      sendXml(res, 415, buildFaultEnvelope('soap:Client', 'SOAP 1.1 requests must be text/xml'));
      return;
    }
    let parsed: { op: string; xmlDocument: string | undefined };
    try {
      parsed = readRequest(body);
    } catch {
      sendXml(res, 500, buildFaultEnvelope('soap:Client', 'Server was unable to read request.'));
      return;
    }
    const { op, xmlDocument } = parsed;
    const action = String(req.headers.soapaction ?? '').replace(/^"|"$/g, '');
    if (action !== `${TEMPURI_NS}${op}` || !(EDOC_OPERATIONS as readonly string[]).includes(op)) {
      sendXml(
        res,
        500,
        buildFaultEnvelope('soap:Client', `Server did not recognize the value of HTTP Header SOAPAction: ${action.slice(0, 80)}.`),
      );
      return;
    }
    store.countCall(op);
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);

    const scripted = takeScripted(op);
    if (scripted?.fault === 'soap-fault' || (!scripted && rng.next() < faults.errorRate)) {
      store.countFault('soapFaults');
      sendXml(
        res,
        500,
        buildFaultEnvelope('soap:Server', 'Server was unable to process request. ---> The service is temporarily unavailable.'),
      );
      return;
    }
    if (scripted?.fault === 'drop') {
      store.countFault('drops');
      hang(res);
      return;
    }
    if (scripted?.fault === 'business-error') {
      store.countFault('businessErrors');
      sendXml(res, 200, buildResponseEnvelope(op, businessErrorXml('ScriptedError', 'scripted business error')));
      return;
    }
    if (scripted?.fault === 'no-result') {
      sendXml(res, 200, buildResponseEnvelope(op, undefined));
      return;
    }
    try {
      if (op === 'SearchCaseFile') return sendXml(res, 200, buildResponseEnvelope(op, searchCaseFile(xmlDocument, ctx)));
      if (op === 'SearchDocument') return sendXml(res, 200, buildResponseEnvelope(op, searchDocument(xmlDocument, ctx)));
      if (op === 'GetItemList') return sendXml(res, 200, buildResponseEnvelope(op, getItemList(xmlDocument, ctx)));
      if (op === 'GetSystemInfo') return sendXml(res, 200, buildResponseEnvelope(op, getSystemInfo()));
      const created = createDocument(xmlDocument, ctx);
      const commitThenTimeout = scripted?.fault === 'commit-timeout' || (!scripted && rng.next() < faults.commitTimeoutRate);
      if (commitThenTimeout) {
        store.countFault('commitTimeouts');
        hang(res);
        return;
      }
      sendXml(res, 200, buildResponseEnvelope(op, created.resultXml));
    } catch (err) {
      if (!(err instanceof BusinessFailure)) throw err;
      store.countFault('businessErrors');
      sendXml(res, 200, buildResponseEnvelope(op, businessErrorXml(err.code, err.description)));
    }
  }

  function admin(req: IncomingMessage, res: ServerResponse, path: string, body: string): void {
    if (req.method === 'GET' && path === '/_sandbox/stats') return sendJson(res, 200, store.stats());
    if (req.method === 'GET' && path === '/_sandbox/state') return sendJson(res, 200, store.state());
    if (path === '/_sandbox/faults' && req.method === 'GET') return sendJson(res, 200, { ...faults, script });
    if (path === '/_sandbox/faults' && req.method === 'POST') {
      let patch: Partial<EdocSandboxFaults> & { script?: ScriptedFault[] };
      try {
        patch = JSON.parse(body || '{}');
      } catch {
        return sendJson(res, 400, { error: 'body must be JSON' });
      }
      const rate = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;
      if (
        (patch.errorRate !== undefined && !rate(patch.errorRate)) ||
        (patch.commitTimeoutRate !== undefined && !rate(patch.commitTimeoutRate))
      ) {
        return sendJson(res, 400, { error: 'rates must be numbers between 0 and 1' });
      }
      if (patch.latencyMs !== undefined && !(typeof patch.latencyMs === 'number' && patch.latencyMs >= 0)) {
        return sendJson(res, 400, { error: 'latencyMs must be a number >= 0' });
      }
      const { script: more, ...knobs } = patch;
      faults = { ...faults, ...knobs };
      if (Array.isArray(more)) script = [...script, ...more];
      return sendJson(res, 200, { ...faults, script });
    }
    const caseStatus = /^\/_sandbox\/cases\/([^/]+)\/status$/.exec(path);
    if (req.method === 'POST' && caseStatus) {
      let status: unknown;
      try {
        status = (JSON.parse(body || '{}') as { status?: unknown }).status;
      } catch {
        return sendJson(res, 400, { error: 'body must be JSON' });
      }
      if (typeof status !== 'string' || !status.trim())
        return sendJson(res, 400, { error: 'status must be a non-empty string, e.g. "Afsluttet"' });
      return store.setCaseStatus(decodeURIComponent(caseStatus[1]), status.trim())
        ? sendJson(res, 200, { ok: true })
        : sendJson(res, 404, { error: 'no such case' });
    }
    if (req.method === 'POST' && path === '/_sandbox/reset') {
      store.reset();
      faults = { ...initialFaults };
      script = [];
      rng = new SeededRandom(randomSeed);
      return sendJson(res, 200, { ok: true });
    }
    sendJson(res, 404, { error: 'not found' });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0];
      const done = (p: Promise<void> | void) =>
        Promise.resolve(p).catch(() => {
          if (!res.headersSent) sendXml(res, 500, buildFaultEnvelope('soap:Server', 'Server was unable to process request.'));
        });
      if (path.startsWith('/_sandbox/')) return done(admin(req, res, path, body));
      if (req.method === 'POST' && /\/edoc\.asmx$/i.test(path)) return done(soap(req, res, body));
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const baseUrl = `http://${opts.host ?? '127.0.0.1'}:${addr.port}`;
  ctx.baseUrl = baseUrl;
  return {
    url: `${baseUrl}/edoc.asmx`,
    baseUrl,
    user,
    password,
    store,
    stop: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
