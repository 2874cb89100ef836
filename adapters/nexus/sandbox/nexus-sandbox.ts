import { randomBytes } from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Seed } from '../../../schemas/sandbox-seed.schema';
import { formatNexusDate } from '../nexus.dates';
import { NexusSandboxState, SandboxNames, SandboxRefusal, TaskObject } from './nexus-sandbox.state';
import { NexusDialect, NexusWire, NYBORG_REQUIRED_ITEMS } from './nexus-sandbox.wire';
import { seededRandom } from '../../shared/seeded-random';

/**
 * KMD Nexus simulator: token endpoint, home resource and every endpoint NexusClient follows, in the
 * wire shapes public clients show, with optimistic `version` checks (409), workflow states, tasks
 * and organisation relations; state in memory from the shared seed. Fault knobs (latency, 5xx,
 * 409, never-answered requests) are drawn from a seeded PRNG so a run can be repeated.
 *
 * Test/demo endpoints (no auth, no faults): GET /_sandbox/state, GET /_sandbox/stats,
 * GET|POST /_sandbox/faults, POST /_sandbox/reset, POST /_sandbox/notes/:id/conclude {items},
 * POST /_sandbox/notes/:id/reopen (locked → draft, for corrections),
 * POST /_sandbox/tokens/revoke, GET /_sandbox/health.
 */
export interface NexusFaults {
  latencyMs: number;
  /** Share of API calls answered 500/503. */
  errorRate: number;
  /** Share of form saves answered 409 after a simulated concurrent edit. */
  conflictRate: number;
  /** Share of API calls never answered (the client's timeout fires). */
  timeoutRate: number;
}

export interface NexusSandboxOptions {
  seed: Seed;
  names: SandboxNames;
  districtLists?: Record<string, string>;
  host?: string;
  /** Fixed port; 0/undefined = a free one. */
  port?: number;
  /** Instance name in the URLs (…/realms/{instance}/…, …/mobile/{instance}/v2/). */
  instance?: string;
  faults?: Partial<NexusFaults>;
  randomSeed?: number;
  /** Ids per citizen-list page. Nexus's own pages can exceed what one `patients?ids=` call accepts. */
  pageSize?: number;
  /** `patients?ids=` calls with more ids are refused (414), as long URLs fail at the real Nexus. */
  maxIdsPerCall?: number;
  tokenTtlS?: number;
  /** Which public client's view of Nexus to answer in (nexus-sandbox.wire.ts); `kmd` when absent. */
  dialect?: NexusDialect;
  clientId?: string;
  clientSecret?: string;
  now?: () => number;
}

export interface RunningNexusSandbox {
  /** Origin, e.g. http://127.0.0.1:41234 — /_sandbox/* lives here. */
  url: string;
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

type Params = Record<string, string>;
interface Ctx {
  params: Params;
  query: URLSearchParams;
  body: unknown;
  wire: NexusWire;
}
type Handler = (ctx: Ctx) => { status?: number; body: unknown } | unknown;
interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

const NO_FAULTS: NexusFaults = { latencyMs: 0, errorRate: 0, conflictRate: 0, timeoutRate: 0 };
const MAX_BODY = 1_000_000;

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export class NexusSandbox {
  private state!: NexusSandboxState;
  private faults!: NexusFaults;
  private random!: () => number;
  private readonly stats = new Map<string, number>();
  private readonly tokens = new Map<string, number>();
  private readonly hung = new Set<ServerResponse>();
  private readonly api: Route[] = [];
  private readonly control: Route[] = [];
  private readonly now: () => number;
  readonly instance: string;
  readonly basePath: string;
  readonly tokenPath: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly server: http.Server;

  constructor(private readonly opts: NexusSandboxOptions) {
    this.now = opts.now ?? Date.now;
    this.instance = opts.instance ?? 'sandbox';
    this.basePath = `/api/core/mobile/${this.instance}/v2`;
    this.tokenPath = `/authx/realms/${this.instance}/protocol/openid-connect/token`;
    this.clientId = opts.clientId ?? 'tsm-bridge';
    this.clientSecret = opts.clientSecret ?? randomBytes(18).toString('base64url');
    this.reset();
    this.defineRoutes();
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err) => this.send(res, 500, { message: 'Sandbox failure', reason: (err as Error).name }));
    });
  }

  reset(): void {
    const o = this.opts;
    this.state = new NexusSandboxState(o.seed, o.names, o.districtLists ?? {}, this.now);
    this.faults = { ...NO_FAULTS, ...o.faults };
    this.random = seededRandom(o.randomSeed ?? 42);
    this.stats.clear();
  }

  async listen(): Promise<RunningNexusSandbox> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const port = (this.server.address() as AddressInfo).port;
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    return {
      url,
      baseUrl: `${url}${this.basePath}/`,
      tokenUrl: `${url}${this.tokenPath}`,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      stop: () => this.stop(),
    };
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- request pipeline ----------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    const wire = new NexusWire(this.state, this.basePath, `http://${req.headers.host ?? 'localhost'}`, this.opts.dialect ?? 'kmd');
    let body: unknown;
    try {
      body = await readBody(req);
    } catch {
      return this.send(res, 400, { message: 'Malformed request body', reason: 'InvalidBody' });
    }

    if (url.pathname.startsWith('/_sandbox/')) {
      return this.dispatch(res, this.control, method, url.pathname, { query: url.searchParams, body, wire });
    }
    const isToken = url.pathname === this.tokenPath;
    const apiPath = url.pathname.startsWith(this.basePath) ? url.pathname.slice(this.basePath.length) || '/' : undefined;
    if (!isToken && apiPath === undefined) return this.send(res, 404, 'Not Found');
    const route = isToken ? undefined : match(this.api, method, apiPath as string);
    this.count(isToken ? `${method} /token` : route ? `${method} ${route.route.template}` : `${method} (unknown)`);

    if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (this.faults.timeoutRate > 0 && this.random() < this.faults.timeoutRate) {
      // Never answer: the client's own timeout must fire. Released when the client gives up.
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return;
    }
    if (this.faults.errorRate > 0 && this.random() < this.faults.errorRate) {
      return this.random() < 0.5
        ? this.send(res, 500, { message: 'Internal server error', reason: 'SandboxFault' })
        : this.send(res, 503, 'Service Unavailable');
    }

    if (isToken) return this.token(res, method, body);
    if (!this.authorised(req)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return this.send(res, 401, { message: 'Unauthorized', reason: 'InvalidToken' });
    }
    if (!route) return this.send(res, 404, { message: 'Resource not found', reason: 'NotFound' });
    return this.run(res, route.route, { params: route.params, query: url.searchParams, body, wire });
  }

  private dispatch(res: ServerResponse, routes: Route[], method: string, path: string, ctx: Omit<Ctx, 'params'>): void {
    const found = match(routes, method, path);
    if (!found) return this.send(res, 404, { message: 'Resource not found', reason: 'NotFound' });
    this.run(res, found.route, { ...ctx, params: found.params });
  }

  private run(res: ServerResponse, route: Route, ctx: Ctx): void {
    try {
      const out = route.handler(ctx);
      if (out instanceof Reply) this.send(res, out.status, out.body);
      else this.send(res, 200, out);
    } catch (err) {
      if (err instanceof SandboxRefusal) return this.send(res, err.status, { message: err.message, reason: err.reason });
      throw err;
    }
  }

  private token(res: ServerResponse, method: string, body: unknown): void {
    if (method !== 'POST') return this.send(res, 405, { error: 'invalid_request' });
    const form = body instanceof URLSearchParams ? body : new URLSearchParams();
    if (form.get('grant_type') !== 'client_credentials') return this.send(res, 400, { error: 'unsupported_grant_type' });
    if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) {
      return this.send(res, 401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
    }
    const ttl = this.opts.tokenTtlS ?? 300;
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, this.now() + ttl * 1000);
    this.send(res, 200, { access_token: token, expires_in: ttl, token_type: 'Bearer', scope: 'profile' });
  }

  private authorised(req: IncomingMessage): boolean {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const expires = m ? this.tokens.get(m[1]) : undefined;
    return expires !== undefined && expires > this.now();
  }

  private count(key: string): void {
    this.stats.set(key, (this.stats.get(key) ?? 0) + 1);
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
    res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' });
    res.end(text);
  }

  // ---- routes --------------------------------------------------------------------------------

  private defineRoutes(): void {
    const s = () => this.state;
    const citizen = (p: Params) => s().requireCitizen(Number(p.id));
    const object = (type: TaskObject['type'], p: Params): TaskObject => {
      const o: TaskObject = { type, id: Number(p.id) };
      s().requireObject(o);
      return o;
    };
    const get = (t: string, h: Handler) => this.api.push(route('GET', t, h));

    get('/', ({ wire }) => wire.home());
    get('/preferences', ({ wire }) => wire.preferences());
    get('/preferences/CITIZEN_LIST/:id', ({ wire, params }) => wire.citizenList(this.list(Number(params.id))));
    get('/preferences/CITIZEN_LIST/:id/content', ({ wire, params }) =>
      wire.listContent(
        s()
          .listMembers(this.list(Number(params.id)).id)
          .map((c) => c.id),
        this.opts.pageSize ?? 50,
      ),
    );
    get('/patients', ({ wire, query }) => {
      const ids = (query.get('ids') ?? '').split(',').filter(Boolean);
      if (ids.length > (this.opts.maxIdsPerCall ?? 50)) return new Reply(414, 'URI Too Long');
      return ids
        .map((id) => s().citizens.get(Number(id)))
        .filter((c) => c !== undefined)
        .map((c) => wire.patientSummary(c));
    });
    get('/patients/:id', ({ wire, params }) => wire.patient(citizen(params)));
    get('/patients/:id/preferences', ({ wire, params }) => wire.patientPreferences(citizen(params)));
    // The path public robots hard-code for a citizen's views (nyborg-rpa close_patient_documents.py).
    get('/patient/:id/preferences', ({ wire, params }) => wire.patientPreferences(citizen(params)));
    get('/pathwayReferences/:node', ({ wire, params }) => wire.referenceDocument(s().requireForm(Number(params.node) - 400_000)));
    get('/patients/:id/preferences/CITIZEN_PATHWAY/:view', ({ wire, params }) => {
      const c = citizen(params);
      const view = wire.patientPreferences(c).CITIZEN_PATHWAY.find((v) => v.id === Number(params.view));
      if (!view) throw new SandboxRefusal(404, 'NotFound', 'View not found');
      return wire.citizenView(c, view.id, view.name);
    });
    get('/patients/:id/preferences/CITIZEN_PATHWAY/:view/references', ({ wire, params }) =>
      params.view === '1' ? wire.pathwayReferences(citizen(params)) : [],
    );
    get('/patients/:id/conditions', ({ wire, params }) => wire.conditions(citizen(params)));
    get('/patients/:id/organizations', ({ wire, params }) =>
      s()
        .relationsOf(citizen(params).id)
        .map((r) => wire.listedRelation(r)),
    );
    get('/patientOrganizations/:rel', ({ wire, params }) => wire.relation(s().requireRelation(Number(params.rel))));
    this.api.push(
      route('PUT', '/patients/:id/organizations/:org', ({ wire, params }) =>
        wire.relation(s().attach(Number(params.id), Number(params.org))),
      ),
    );
    this.api.push(
      route('DELETE', '/patientOrganizations/:rel', ({ params }) => {
        s().detach(Number(params.rel));
        return {};
      }),
    );
    get('/organizations', ({ wire }) => wire.organizations());
    get('/formData/:id', ({ wire, params }) => wire.form(s().requireForm(Number(params.id))));
    get('/formData/:id/availableActions', ({ wire, params }) => wire.availableActions(s().requireForm(Number(params.id))));
    this.api.push(
      route('PUT', '/formData/:id/actions/:action', ({ wire, params, body }) => {
        const id = Number(params.id);
        s().requireForm(id);
        if (this.faults.conflictRate > 0 && this.random() < this.faults.conflictRate) {
          s().concurrentEdit(id);
          throw new SandboxRefusal(409, 'OptimisticLockException', 'Row was updated or deleted by another transaction');
        }
        if (typeof body !== 'object' || body === null || body instanceof URLSearchParams)
          throw new SandboxRefusal(400, 'InvalidBody', 'A form is expected');
        const required = this.opts.dialect === 'nyborg' ? NYBORG_REQUIRED_ITEMS : [];
        return wire.form(s().updateForm(id, Number(params.action), body as Record<string, unknown>, required));
      }),
    );
    for (const kind of ['formData', 'patients'] as const) {
      get(`/${kind}/:id/availableAssignmentTypes`, ({ wire, params }) => wire.assignmentTypes(object(kind, params)));
      get(`/${kind}/:id/activeAssignments`, ({ wire, params }) =>
        s()
          .tasksOf(object(kind, params))
          .map((t) => wire.assignment(t)),
      );
    }
    get('/assignments/prototype', ({ wire, query }) => wire.assignmentPrototype(this.taskObject(query), this.taskType(query)));
    get('/assignments/organizationAssignees', ({ wire }) => wire.organizationAssignees());
    this.api.push(
      route('POST', '/assignments', ({ wire, query, body }) => {
        if (typeof body !== 'object' || body === null || body instanceof URLSearchParams)
          throw new SandboxRefusal(400, 'InvalidBody', 'An assignment is expected');
        return wire.assignment(s().createTask(this.taskObject(query), this.taskType(query).id, body as Record<string, unknown>));
      }),
    );

    const ctl = (method: string, t: string, h: Handler) => this.control.push(route(method, t, h));
    ctl('GET', '/_sandbox/health', () => ({ system: 'nexus-sandbox', instance: this.instance }));
    ctl('GET', '/_sandbox/state', () => this.snapshot());
    ctl('GET', '/_sandbox/stats', () => {
      const calls = Object.fromEntries([...this.stats.entries()].sort(([a], [b]) => a.localeCompare(b)));
      return { total: [...this.stats.values()].reduce((a, b) => a + b, 0), calls };
    });
    ctl('GET', '/_sandbox/faults', () => this.faults);
    ctl('POST', '/_sandbox/faults', ({ body }) => {
      this.faults = { ...this.faults, ...parseFaults(body) };
      return this.faults;
    });
    ctl('POST', '/_sandbox/reset', () => {
      this.reset();
      return { reset: true };
    });
    ctl('POST', '/_sandbox/tokens/revoke', () => {
      const revoked = this.tokens.size;
      this.tokens.clear();
      return { revoked };
    });
    ctl('POST', '/_sandbox/notes/:id/conclude', ({ params, body }) => {
      const items = (body as { items?: unknown } | undefined)?.items;
      if (typeof items !== 'object' || items === null || Object.values(items).some((v) => typeof v !== 'string')) {
        throw new SandboxRefusal(400, 'InvalidBody', 'Expected {"items": {"label": "text", …}}');
      }
      const form = s().conclude(Number(params.id), items as Record<string, string>);
      return { id: form.id, version: form.version, state: s().stateName(form.stateId) };
    });
    ctl('POST', '/_sandbox/notes/:id/reopen', ({ params }) => {
      const form = s().reopen(Number(params.id));
      return { id: form.id, version: form.version, state: s().stateName(form.stateId) };
    });
  }

  private list(id: number) {
    const l = this.state.lists.find((x) => x.id === id);
    if (!l) throw new SandboxRefusal(404, 'NotFound', 'List not found');
    return l;
  }

  private taskObject(q: URLSearchParams): TaskObject {
    const type = q.get('objectType');
    if (type !== 'formData' && type !== 'patients') throw new SandboxRefusal(400, 'InvalidRequest', 'objectType is required');
    const o: TaskObject = { type, id: Number(q.get('objectId')) };
    this.state.requireObject(o);
    return o;
  }

  private taskType(q: URLSearchParams) {
    const t = this.state.taskTypes.find((x) => x.id === Number(q.get('assignmentTypeId')));
    if (!t) throw new SandboxRefusal(404, 'NotFound', 'Assignment type not found');
    return t;
  }

  /** Everything tests and the demo assert on, in plain terms. */
  private snapshot() {
    const s = this.state;
    return {
      citizens: [...s.citizens.values()].map((c) => ({ id: c.id, list: s.lists.find((l) => l.id === c.listId)?.name })),
      notes: [...s.forms.values()].map((f) => ({
        id: f.id,
        citizenId: f.citizenId,
        formTitle: f.formTitle,
        state: s.stateName(f.stateId),
        locked: s.isLocked(f),
        version: f.version,
        tags: f.tags,
        observationTimestamp: formatNexusDate(f.observationMs),
        createDate: formatNexusDate(f.createMs),
        updateDate: formatNexusDate(f.updateMs),
        items: Object.fromEntries(f.items.map((i) => [i.label, typeof i.value === 'object' && i.value ? i.value.name : (i.value ?? '')])),
      })),
      relations: [...s.relations.values()].map((r) => ({
        id: r.id,
        citizenId: r.citizenId,
        organisationId: r.orgId,
        organisationName: s.orgs.get(r.orgId)?.name,
        inForce: r.endMs === undefined,
      })),
      tasks: [...s.tasks.values()].map((t) => ({
        id: t.id,
        on: t.object.type === 'formData' ? { noteId: t.object.id } : { citizenId: t.object.id },
        typeName: s.taskTypes.find((x) => x.id === t.typeId)?.name,
        title: t.title,
        description: t.description,
        startDate: t.startDate,
        dueDate: t.dueDate,
        organisationId: t.orgId,
        organisationName: s.orgs.get(t.orgId)?.name,
      })),
    };
  }
}

export async function startNexusSandbox(opts: NexusSandboxOptions): Promise<RunningNexusSandbox> {
  return new NexusSandbox(opts).listen();
}

/** `/patients/:id` → a matcher; the template doubles as the stats key. */
function route(method: string, template: string, handler: Handler): Route {
  const keys: string[] = [];
  const source = template
    .split('/')
    .map((seg) => {
      if (!seg.startsWith(':')) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      keys.push(seg.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { method, template, pattern: new RegExp(`^${source}/?$`), keys, handler };
}

function match(routes: Route[], method: string, path: string): { route: Route; params: Params } | undefined {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (m) return { route: r, params: Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])])) };
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return new URLSearchParams(text);
  return JSON.parse(text);
}

function parseFaults(body: unknown): Partial<NexusFaults> {
  if (typeof body !== 'object' || body === null) throw new SandboxRefusal(400, 'InvalidBody', 'Expected a JSON object of fault knobs');
  const out: Partial<NexusFaults> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!(key in NO_FAULTS)) throw new SandboxRefusal(400, 'InvalidBody', `Unknown fault knob ${key}`);
    const max = key === 'latencyMs' ? 600_000 : 1;
    if (typeof value !== 'number' || !(value >= 0 && value <= max))
      throw new SandboxRefusal(400, 'InvalidBody', `${key} must be a number 0..${max}`);
    out[key as keyof NexusFaults] = value;
  }
  return out;
}
