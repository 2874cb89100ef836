import type { Express } from 'express';
import request from 'supertest';
import { createQueueDashboard } from '../../../queues/dashboard';
import { QueueGateway } from '../../../queues/queue.gateway';
import { loadConfig } from '../../../src/config/load-config';
import { RunningService, startService } from '../../../src/main';
import { LogCapture } from '../../support/log-capture';
import { testConfig } from '../../support/test-service';

/**
 * Access to the api role, checked against the routes the running application really has: every
 * route Nest registered (read from the express router) and every route of the queue dashboard
 * (read from its own router) answers 401 without credentials, except the documented public ones.
 */
/** Where AdminModule mounts the queue dashboard (docs); the test proves it by reaching it there. */
const DASHBOARD_PATH = '/admin/queues';

interface Route {
  method: string;
  path: string;
}

/** Routes that need no credentials, and why. Anything else found in the router must answer 401. */
const PUBLIC: Record<string, string> = {
  'GET /health/live': 'liveness probe (documented exception)',
  'GET /health/ready': 'readiness probe (documented exception)',
  'GET /children/openapi.json': 'the intake API description: schemas only, no data (docs/children.md)',
  // The signature is the credential: without a valid one, 403 ACCEPT_LINK_INVALID (children-accept-link.spec, children-api.spec fuzz).
  'GET /children/accept/:id': 'the signed, expiring accept link from the unit mail (docs/children.md)',
  'POST /children/accept/:id': 'the signed, expiring accept link from the unit mail (docs/children.md)',
};

const ADMIN = { user: 'admin', password: 'access-admin-password' };
const INTAKE_KEY = 'access-intake-key-0123456789abcdef';
const SECRETS = {
  ADMIN_PASSWORD: ADMIN.password,
  INTAKE_API_KEY: INTAKE_KEY,
  NEXUS_CLIENT_SECRET: 'nexus-client-secret-7f3a9c',
  EDOC_PASSWORD: 'edoc-service-password-51b2',
};

type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** Routes of one router's own layers; routers mounted inside it are returned apart (their mount path is not kept by express). */
function routesOf(stack: Layer[]): { own: Route[]; mounted: Route[] } {
  const own: Route[] = [];
  const mounted: Route[] = [];
  for (const layer of stack) {
    const r = layer.route;
    // Nest's middleware wrappers are catch-all routes for every method: not endpoints of their own.
    if (r && r.path !== '/{*path}') {
      for (const path of Array.isArray(r.path) ? r.path : [r.path]) {
        for (const method of Object.keys(r.methods).filter((m) => r.methods[m] && m !== '_all'))
          own.push({ method: method.toUpperCase(), path });
      }
    }
    if (layer.handle?.stack) {
      const inner = routesOf(layer.handle.stack);
      mounted.push(...inner.own, ...inner.mounted);
    }
  }
  return { own, mounted };
}

const key = (r: Route) => `${r.method} ${r.path}`;

/** The layer stack of an express 5 (or 4) application or router. */
function stackOf(app: unknown): Layer[] {
  const a = app as { router?: { stack?: Layer[] }; _router?: { stack?: Layer[] }; stack?: Layer[] };
  const stack = a.router?.stack ?? a._router?.stack ?? a.stack;
  if (!stack) throw new Error('no express layer stack found');
  return stack;
}

/** A concrete URL for a route pattern: parameters get harmless values that exist where it matters. */
function concrete(path: string): string {
  return path
    .replace(':queueName', 'maintenance')
    .replace(':queue', 'maintenance')
    .replace(':name', 'maintenance')
    .replace(':district', 'solhoej')
    .replace(':date', '2026-12-03')
    .replace(/\{\*[a-z]+\}|\*/gi, 'x')
    .replace(/:[A-Za-z]+/g, 'x1');
}

describe('access: every admin and intake route requires credentials', () => {
  let svc: RunningService;
  let logs: LogCapture;
  let nestRoutes: Route[];
  let boardRoutes: Route[];
  const http = () => request(svc.baseUrl!);

  beforeAll(async () => {
    logs = new LogCapture();
    const base = testConfig({
      ...SECRETS,
      ADMIN_USER: ADMIN.user,
      LOG_LEVEL: 'debug',
      // Real-looking endpoints that are never reached: the secrets must still never show up in a log line.
      NEXUS_BASE_URL: 'http://127.0.0.1:9/api/core/mobile/x/v2/',
      NEXUS_TOKEN_URL: 'http://127.0.0.1:9/token',
      NEXUS_CLIENT_ID: 'tsm-bridge',
      EDOC_URL: 'http://127.0.0.1:9/edoc.asmx',
      EDOC_USER: 'svc-tsm',
    });
    svc = await startService({ role: 'all', config: base, sandboxes: false, logDestination: logs });
    const app = (svc.app as unknown as { getHttpAdapter(): { getInstance(): Express } }).getHttpAdapter().getInstance();
    const found = routesOf(stackOf(app));
    nestRoutes = found.own;
    // Nest runs the dashboard's router inside its middleware for DASHBOARD_PATH (the consumer in
    // AdminModule): read its routes from the router the same factory builds.
    const board = routesOf(stackOf(createQueueDashboard(svc.app.get(QueueGateway), { basePath: DASHBOARD_PATH })));
    boardRoutes = [...board.own, ...board.mounted].map((r) => ({ ...r, path: `${DASHBOARD_PATH}${r.path === '/' ? '' : r.path}` }));
  });
  afterAll(() => svc?.stop());

  it('finds the routes in the routers (not a hand-written list)', () => {
    const keys = nestRoutes.map(key);
    expect(keys).toEqual(
      expect.arrayContaining(['GET /health/live', 'GET /admin/dead-letters', 'POST /children/requests', 'GET /metrics']),
    );
    expect(nestRoutes.length).toBeGreaterThan(15);
    expect(boardRoutes.length).toBeGreaterThan(10);
    expect(boardRoutes.map(key)).toEqual(
      expect.arrayContaining([`GET ${DASHBOARD_PATH}/api/queues`, `PUT ${DASHBOARD_PATH}/api/queues/pause`]),
    );
    expect(boardRoutes.filter((r) => r.method !== 'GET').length).toBeGreaterThan(5);
  });

  it('answers 401 on every non-public route without credentials, and with the wrong kind of credentials', async () => {
    const failures: string[] = [];
    const checked: string[] = [];
    for (const r of [...nestRoutes, ...boardRoutes]) {
      const name = key(r);
      if (PUBLIC[name] || r.method === 'HEAD') continue;
      const url = concrete(r.path);
      const send = (req: request.Test) => (['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) ? req.send({}) : req);
      const verb = r.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
      const none = await send(http()[verb](url));
      const intakeRoute = r.path.startsWith('/children/');
      // The other credential must not open the door either: admin Basic on intake, the intake key on admin.
      const wrongKind = intakeRoute
        ? await send(http()[verb](url).auth(ADMIN.user, ADMIN.password))
        : await send(http()[verb](url).set('Authorization', `Bearer ${INTAKE_KEY}`).set('X-Api-Key', INTAKE_KEY));
      const wrongSecret = intakeRoute
        ? await send(http()[verb](url).set('X-Api-Key', `${INTAKE_KEY}x`))
        : await send(http()[verb](url).auth(ADMIN.user, `${ADMIN.password}x`));
      for (const [what, res] of [
        ['none', none],
        ['other kind', wrongKind],
        ['wrong secret', wrongSecret],
      ] as const) {
        if (res.status !== 401) failures.push(`${name} (${url}) with ${what}: ${res.status}`);
      }
      if (!none.headers['www-authenticate']) failures.push(`${name}: no WWW-Authenticate challenge`);
      checked.push(name);
    }
    expect(failures).toEqual([]);
    expect(checked.length).toBeGreaterThan(25);
  });

  it('opens the routes with the right credentials (the 401s are not a broken route)', async () => {
    expect((await http().get('/admin/dead-letters').auth(ADMIN.user, ADMIN.password)).status).toBe(200);
    expect((await http().get(`${DASHBOARD_PATH}/api/queues`).auth(ADMIN.user, ADMIN.password)).status).toBe(200);
    expect((await http().get('/children/requests/unknown-id').set('X-Api-Key', INTAKE_KEY)).status).toBe(404);
  });

  it('keeps the public routes to the documented few', async () => {
    const open: string[] = [];
    for (const r of nestRoutes.filter((x) => x.method === 'GET')) {
      const res = await http().get(concrete(r.path));
      if (res.status !== 401) open.push(key(r));
    }
    expect(open.sort()).toEqual(
      Object.keys(PUBLIC)
        .filter((k) => k.startsWith('GET '))
        .sort(),
    );
  });

  it('sends the security headers (helmet) on public, refused and dashboard answers', async () => {
    for (const res of [
      await http().get('/health/live'),
      await http().get('/admin/audit'),
      await http().get(DASHBOARD_PATH).auth(ADMIN.user, ADMIN.password),
      await http().post('/children/requests').send({}),
    ]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('refuses a request body over the limit with 413, before any handler runs', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(5 * 1024 * 1024 + 10) });
    const intake = await http().post('/children/requests').set('X-Api-Key', INTAKE_KEY).set('Content-Type', 'application/json').send(big);
    expect(intake.status).toBe(413);
    const admin = await http()
      .post('/admin/dead-letters/retry-all')
      .auth(ADMIN.user, ADMIN.password)
      .set('Content-Type', 'application/json')
      .send(big);
    expect(admin.status).toBe(413);
    const form = await http()
      .post('/admin/dead-letters/retry-all')
      .auth(ADMIN.user, ADMIN.password)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`a=${'x'.repeat(200 * 1024)}`);
    expect(form.status).toBe(413);
    // Nothing was retried: the handler never ran.
    const audit = await http().get('/admin/audit').auth(ADMIN.user, ADMIN.password);
    expect(JSON.stringify(audit.body)).not.toContain('admin.retry');
  });

  it('never writes a secret into a log line, even when a client sends it back in a header', async () => {
    // Clients sending secrets (right and wrong), errors logged with request details, debug level on.
    await http().get('/admin/audit').auth(ADMIN.user, ADMIN.password);
    await http()
      .get('/admin/audit?token=' + SECRETS.NEXUS_CLIENT_SECRET)
      .auth(ADMIN.user, `${ADMIN.password}x`);
    await http().get('/children/requests/x').set('X-Api-Key', INTAKE_KEY);
    await http().get('/children/requests/x').set('Authorization', `Bearer ${SECRETS.EDOC_PASSWORD}`);
    await http().post('/children/requests').set('X-Api-Key', INTAKE_KEY).set('Content-Type', 'application/json').send('{"broken": ');
    expect(logs.count()).toBeGreaterThan(5);
    const text = logs.text();
    for (const [name, value] of Object.entries(SECRETS)) {
      expect({ name, found: text.includes(value) }).toEqual({ name, found: false });
    }
    expect(text).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    // The config as an operator may see it has them replaced too.
    const { describeConfig } = await import('../../../src/config/load-config');
    const shown = JSON.stringify(describeConfig(loadConfig({ ...SECRETS, NODE_ENV: 'test' })));
    for (const value of Object.values(SECRETS)) expect(shown).not.toContain(value);
  });
});
