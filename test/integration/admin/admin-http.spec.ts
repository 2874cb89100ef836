import request from 'supertest';
import http, { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NexusClient } from '../../../adapters/nexus/nexus.client';
import { ResilientHttp } from '../../../adapters/shared/resilient-http';
import { QueueGateway } from '../../../queues/queue.gateway';
import { WorkerHost } from '../../../queues/worker.host';
import { AuditService } from '../../../src/audit/audit.service';
import type { RunningService } from '../../../src/main';
import { eventually, startTestService } from '../../support/test-service';

const USER = 'admin';
const PASSWORD = 'test-admin-password'; // testConfig's ADMIN_PASSWORD
const CPR = '010140-1234';

describe('admin HTTP (api + worker against a real Redis)', () => {
  let svc: RunningService;
  let gw: QueueGateway;
  let audit: AuditService;
  const http = () => request(svc.baseUrl!);

  beforeAll(async () => {
    // The periodic scheduler check is called by hand below, so its timer never fires mid-test.
    svc = await startTestService('all', { SCHEDULER_CHECK_MS: '3600000' }, { sandboxes: false });
    gw = svc.app.get(QueueGateway);
    audit = svc.app.get(AuditService);
  });
  afterAll(() => svc.stop());

  const protectedRoutes: Array<[string, string]> = [
    ['get', '/admin/queues'],
    ['get', '/admin/queues/api/queues'],
    ['put', '/admin/queues/api/queues/maintenance/pause'],
    ['get', '/metrics'],
    ['get', '/admin/dead-letters'],
    ['get', '/admin/dead-letters/maintenance/none'],
    ['post', '/admin/dead-letters/maintenance/none/retry'],
    ['delete', '/admin/dead-letters/maintenance/none'],
    ['post', '/admin/dead-letters/retry-all'],
    ['post', '/admin/dead-letters/purge?olderThan=30d'],
    ['post', '/admin/queues/maintenance/pause'],
    ['post', '/admin/queues/maintenance/resume'],
    ['get', '/admin/audit'],
  ];

  it.each(protectedRoutes)('%s %s: 401 with a challenge without or with wrong credentials', async (method, path) => {
    const none = await (http() as any)[method](path);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
    const wrong = await (http() as any)[method](path).auth(USER, 'not-the-password');
    expect(wrong.status).toBe(401);
    const wrongUser = await (http() as any)[method](path).auth('root', PASSWORD);
    expect(wrongUser.status).toBe(401);
  });

  it('serves the dashboard and the admin routes with credentials', async () => {
    const page = await http().get('/admin/queues').auth(USER, PASSWORD);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<base href="/admin/queues/"');
    // The UI's scripts come from the same origin, behind the same credentials (helmet's CSP allows 'self').
    const script = /<script defer src="(static\/js\/main\.[^"]+\.js)"/.exec(page.text)![1];
    expect((await http().get(`/admin/queues/${script}`)).status).toBe(401);
    const js = await http().get(`/admin/queues/${script}`).auth(USER, PASSWORD);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    const api = await http().get('/admin/queues/api/queues').auth(USER, PASSWORD);
    expect(api.status).toBe(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual([
      'after-meeting',
      'agenda',
      'children',
      'edoc',
      'maintenance',
      'medcom',
      'nexus',
    ]);
    for (const path of ['/metrics', '/admin/dead-letters', '/admin/audit']) {
      expect((await http().get(path).auth(USER, PASSWORD)).status).toBe(200);
    }
  });

  it('answers health probes without credentials', async () => {
    const live = await http().get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details.redis).toEqual({ status: 'up' });
  });

  it('shows job data masked to ids on the dashboard', async () => {
    // A payload a careless producer might write: the board must not show the CPR or the text.
    const jobId = await gw.enqueue('maintenance.noop', { n: 7, cpr: CPR, note: 'Borger har faldet' } as never, { jobId: 'board-mask' });
    await eventually(async () => (await gw.jobState('maintenance', jobId)) === 'completed');
    const res = await http()
      .get('/admin/queues/api/queues?activeQueue=maintenance&status=completed&page=1&jobsPerPage=50')
      .auth(USER, PASSWORD);
    expect(res.status).toBe(200);
    const queue = res.body.queues.find((q: { name: string }) => q.name === 'maintenance');
    const job = queue.jobs.find((j: { id: string }) => j.id === 'board-mask');
    expect(job.data).toEqual({ n: 7, cpr: '[masked]', note: '[masked]' });
    expect(job.name).toBe('maintenance.noop');
    expect(job.returnValue).toEqual({ n: 7 });
    expect(res.text).not.toContain(CPR);
    expect(res.text).not.toContain('faldet');
    const one = await http().get('/admin/queues/api/queues/maintenance/board-mask').auth(USER, PASSWORD);
    expect(one.status).toBe(200);
    expect(one.body.job.data.cpr).toBe('[masked]');
    expect(one.text).not.toContain(CPR);
  });

  it('masks a CPR that reached a job name or a failure reason', async () => {
    // A job type nobody handles fails with its name in the reason: the worst case for the board.
    await gw.queue('maintenance').add(`lookup-${CPR}`, {}, { jobId: 'board-reason', attempts: 1 });
    await eventually(async () => (await gw.jobState('maintenance', 'board-reason')) === 'failed');
    expect((await gw.queue('maintenance').getJob('board-reason'))!.failedReason).toContain(CPR);
    const res = await http().get('/admin/queues/api/queues/maintenance/board-reason').auth(USER, PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.job.name).toBe('[unknown job type]');
    expect(res.body.job.failedReason).toContain('xxxxxx-xxxx');
    expect(res.text).not.toContain(CPR);
    // The same dead letter over REST and in the audit trail.
    const dl = await http().get('/admin/dead-letters/maintenance/board-reason').auth(USER, PASSWORD);
    expect(dl.body.reason).toContain('xxxxxx-xxxx');
    expect(dl.text).not.toContain(CPR);
    await eventually(async () =>
      (await audit.query({})).some((r) => r.action === 'dead-letter' && r.externalIds?.job === 'maintenance/board-reason'),
    );
    expect(JSON.stringify(await audit.query({}))).not.toContain(CPR);
  });

  it('exports the Prometheus metrics the operations guide lists', async () => {
    await gw
      .queue('maintenance')
      .add('maintenance.noop', { failTimes: 1 }, { jobId: 'metrics-retry', attempts: 2, backoff: { type: 'fixed', delay: 10 } });
    await eventually(async () => (await gw.jobState('maintenance', 'metrics-retry')) === 'completed');
    const system = `metrics-test-${process.pid}`;
    const target = await startPlainServer(503);
    const client = new ResilientHttp({ system, baseURL: target.url, timeoutMs: 1000, concurrency: 1 });
    await expect(client.request({ url: '/x' })).rejects.toThrow(/503/);
    client.shutdown();
    await target.close();

    const res = await http().get('/metrics').auth(USER, PASSWORD);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const completed = new RegExp(`^tsm_jobs\\{queue="maintenance",state="completed"\\} ([0-9]+)$`, 'm').exec(res.text);
    expect(Number(completed?.[1])).toBeGreaterThanOrEqual(1);
    expect(res.text).toMatch(/^tsm_job_duration_seconds_count\{queue="maintenance",job="maintenance.noop",outcome="ok"\} [1-9]/m);
    expect(res.text).toMatch(/^tsm_job_failures_total\{queue="maintenance",job="maintenance.noop",error_class="retryable"\} [1-9]/m);
    expect(res.text).toContain(`tsm_breaker_state{system="${system}"} 0`);
    expect(res.text).toContain(`tsm_outbound_http_calls_total{system="${system}",status="503"} 1`);
    // The foreign job named after a CPR (test above) is counted under "unknown", never by its name.
    expect(res.text).toMatch(/^tsm_job_failures_total\{queue="maintenance",job="unknown",error_class="retryable"\} [1-9]/m);
    expect(res.text).not.toContain(CPR);
  });

  it('reports an open breaker as down for its system while staying ready', async () => {
    const system = `breaker-test-${process.pid}`;
    const client = new ResilientHttp({
      system,
      baseURL: 'http://127.0.0.1:9',
      timeoutMs: 200,
      concurrency: 1,
      breaker: { volumeThreshold: 1, errorThresholdPercentage: 1, resetTimeout: 60_000 },
    });
    await expect(client.request({ url: '/' })).rejects.toThrow();
    expect(client.state).toBe('open');
    try {
      const ready = await http().get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('degraded');
      expect(ready.body.error[system]).toEqual({ status: 'down', state: 'open' });
      expect(ready.body.details.redis.status).toBe('up');
      const metrics = await http().get('/metrics').auth(USER, PASSWORD);
      expect(metrics.text).toContain(`tsm_breaker_state{system="${system}"} 2`);
    } finally {
      client.shutdown();
    }
  });

  it('shows a Nexus home document with a forged link in readiness, staying ready', async () => {
    const nexus = createServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.method === 'POST') return res.end(JSON.stringify({ access_token: 't', expires_in: 300 }));
      res.end(JSON.stringify({ _links: { organizations: { href: 'https://evil.example/organizations' } } }));
    });
    await new Promise<void>((r) => nexus.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(nexus.address() as AddressInfo).port}`;
    const client = new NexusClient({
      connection: { baseUrl: `${url}/api/`, tokenUrl: `${url}/token`, clientId: 'tsm', clientSecret: 'secret' },
      names: { citizenList: 'l', citizenView: 'v', timeItemLabel: 't', lockedAction: 'Låst' },
      timeoutMs: 2000,
      concurrency: 1,
    });
    try {
      await expect(client.findOrganisation('Visitator')).rejects.toMatchObject({ code: 'NEXUS_LINK_ORIGIN' });
      const ready = await http().get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('degraded');
      expect(ready.body.error['nexus-home']).toMatchObject({ status: 'down', state: 'stale', code: 'NEXUS_LINK_ORIGIN', failures: 1 });
    } finally {
      client.shutdown();
      await new Promise((r) => nexus.close(r));
    }
    expect((await http().get('/health/ready')).body.details['nexus-home']).toBeUndefined();
  });

  it('lists, shows and retries a dead letter over REST, audited with the admin as actor', async () => {
    await gw.enqueue('maintenance.noop', { permanent: true, n: 41 }, { jobId: 'rest-dlq' });
    await eventually(async () => (await gw.jobState('maintenance', 'rest-dlq')) === 'failed');

    const list = await http().get('/admin/dead-letters').auth(USER, PASSWORD);
    expect(list.status).toBe(200);
    const row = list.body.find((d: { id: string }) => d.id === 'maintenance/rest-dlq');
    expect(row).toMatchObject({
      queue: 'maintenance',
      jobId: 'rest-dlq',
      name: 'maintenance.noop',
      attemptsMade: 1,
      payload: { permanent: true, n: 41 },
    });
    expect(row.reason).toContain('[NOOP_PERMANENT]');

    const show = await http().get('/admin/dead-letters/maintenance/rest-dlq').auth(USER, PASSWORD);
    expect(show.status).toBe(200);
    expect(show.body).toEqual(row);

    const retry = await http().post('/admin/dead-letters/maintenance/rest-dlq/retry').auth(USER, PASSWORD);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ id: 'maintenance/rest-dlq', retried: true });
    // It fails again for good (the payload still asks to), so it is back in the dead letters.
    await eventually(async () => (await http().get('/admin/dead-letters/maintenance/rest-dlq').auth(USER, PASSWORD)).status === 200);
    const trail = await http().get('/admin/audit').auth(USER, PASSWORD);
    expect(trail.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'admin.retry', actor: USER, externalIds: { job: 'maintenance/rest-dlq' } }),
        expect.objectContaining({ action: 'dead-letter', externalIds: { job: 'maintenance/rest-dlq', name: 'maintenance.noop' } }),
      ]),
    );

    const removed = await http().delete('/admin/dead-letters/maintenance/rest-dlq').auth(USER, PASSWORD);
    expect(removed.body).toEqual({ id: 'maintenance/rest-dlq', removed: true });
    expect((await http().get('/admin/dead-letters/maintenance/rest-dlq').auth(USER, PASSWORD)).status).toBe(404);
  });

  it('retries all and purges by age over REST', async () => {
    await gw.enqueue('maintenance.noop', { permanent: true }, { jobId: 'rest-all-1' });
    await eventually(async () => (await gw.jobState('maintenance', 'rest-all-1')) === 'failed');
    const all = await http().post('/admin/dead-letters/retry-all').auth(USER, PASSWORD);
    expect(all.status).toBe(200);
    expect(all.body.retried).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await gw.jobState('maintenance', 'rest-all-1')) === 'failed');
    const keep = await http().post('/admin/dead-letters/purge?olderThan=30d').auth(USER, PASSWORD);
    expect(keep.body).toEqual({ purged: 0, olderThanMs: 30 * 86_400_000 });
    expect(await gw.jobState('maintenance', 'rest-all-1')).toBe('failed');
    await new Promise((r) => setTimeout(r, 1100)); // purge ages are whole seconds or more
    const purge = await http().post('/admin/dead-letters/purge?olderThan=1s').auth(USER, PASSWORD);
    expect(purge.body.purged).toBeGreaterThanOrEqual(1);
    expect(await gw.jobState('maintenance', 'rest-all-1')).toBe('unknown');
    expect((await audit.query({})).some((r) => r.action === 'admin.purge' && r.actor === USER)).toBe(true);
  });

  it('answers bad input with clear 400/404 JSON', async () => {
    const cases: Array<[string, string, number, RegExp]> = [
      ['get', '/admin/dead-letters/nosuchqueue/1', 404, /^unknown queue; queues: /],
      ['get', '/admin/dead-letters/maintenance/does-not-exist', 404, /^no dead letter with this id$/],
      ['post', '/admin/dead-letters/maintenance/does-not-exist/retry', 404, /no dead letter/],
      ['get', '/admin/dead-letters/maintenance/a%20b', 400, /jobId/],
      ['get', '/admin/dead-letters?limit=0', 400, /limit/],
      ['post', '/admin/dead-letters/purge', 400, /olderThan: required/],
      ['post', '/admin/dead-letters/purge?olderThan=soon', 400, /^olderThan: an age like 30d, 12h, 15m or 45s$/],
      ['post', '/admin/queues/nosuchqueue/pause', 404, /unknown queue/],
      ['get', '/admin/audit?noteId=abc', 400, /noteId/],
      ['get', '/admin/audit?day=2024-13-40', 400, /day/],
    ];
    for (const [method, path, status, message] of cases) {
      const res = await (http() as any)[method](path).auth(USER, PASSWORD);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(res.headers['content-type']).toMatch(/json/);
      expect(res.body.message).toMatch(message);
    }
  });

  it('pauses and resumes a queue over REST and audits both', async () => {
    expect((await http().post('/admin/queues/agenda/pause').auth(USER, PASSWORD)).body).toEqual({ queue: 'agenda', paused: true });
    expect(await gw.queue('agenda').isPaused()).toBe(true);
    expect((await http().post('/admin/queues/agenda/resume').auth(USER, PASSWORD)).body).toEqual({ queue: 'agenda', paused: false });
    expect(await gw.queue('agenda').isPaused()).toBe(false);
    const actions = (await audit.query({})).filter((r) => r.externalIds?.queue === 'agenda').map((r) => `${r.action}:${r.actor}`);
    expect(actions).toEqual(expect.arrayContaining(['admin.pause:admin', 'admin.resume:admin']));
  });

  it("audits the dashboard's own actions and refuses the ones that lose or forge work", async () => {
    await gw.enqueue('maintenance.noop', { permanent: true }, { jobId: 'board-retry' });
    await eventually(async () => (await gw.jobState('maintenance', 'board-retry')) === 'failed');
    expect((await http().put('/admin/queues/api/queues/maintenance/board-retry/retry').auth(USER, PASSWORD)).status).toBe(204);
    expect((await http().put('/admin/queues/api/queues/children/pause').auth(USER, PASSWORD)).status).toBe(200);
    expect(await gw.queue('children').isPaused()).toBe(true);
    expect((await http().put('/admin/queues/api/queues/children/resume').auth(USER, PASSWORD)).status).toBe(200);
    await eventually(async () => (await gw.jobState('maintenance', 'board-retry')) === 'failed');
    expect((await http().put('/admin/queues/api/queues/maintenance/board-retry/clean').auth(USER, PASSWORD)).status).toBe(204);
    expect(await gw.jobState('maintenance', 'board-retry')).toBe('unknown');

    const add = await http()
      .post('/admin/queues/api/queues/maintenance/add')
      .auth(USER, PASSWORD)
      .send({ name: 'maintenance.noop', data: { cpr: CPR } });
    expect(add.status).toBe(403);
    // Nothing was added (the queue may hold the AOF scrub's scheduled job, which is not the board's).
    const queued = await gw.queue('maintenance').getJobs(['waiting', 'delayed', 'prioritized', 'active']);
    expect(queued.filter((j) => j && j.name !== 'maintenance.scrub-aof')).toEqual([]);
    const obliterate = await http().put('/admin/queues/api/queues/maintenance/obliterate').auth(USER, PASSWORD).send({});
    expect(obliterate.status).toBe(403);

    const trail = (await audit.query({})).filter((r) => r.action.startsWith('admin.board.'));
    expect(trail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'admin.board.retry',
          outcome: 'ok',
          actor: USER,
          externalIds: { queue: 'maintenance', job: 'maintenance/board-retry' },
        }),
        expect.objectContaining({ action: 'admin.board.pause', outcome: 'ok', actor: USER, externalIds: { queue: 'children' } }),
        expect.objectContaining({ action: 'admin.board.resume', outcome: 'ok', actor: USER, externalIds: { queue: 'children' } }),
        expect.objectContaining({
          action: 'admin.board.remove',
          outcome: 'ok',
          actor: USER,
          externalIds: { queue: 'maintenance', job: 'maintenance/board-retry' },
        }),
        expect.objectContaining({ action: 'admin.board.post-api-queues-queueName-add', outcome: 'failed', actor: USER }),
        expect.objectContaining({ action: 'admin.board.put-api-queues-queueName-obliterate', outcome: 'failed' }),
      ]),
    );
    expect(JSON.stringify(trail)).not.toContain(CPR);
  });

  it('refuses removing or editing a job scheduler and cleaning the dead letters in bulk, audited with what was asked', async () => {
    await eventually(async () => (await gw.schedulers('medcom')).some((s) => s.id === 'medcom-inbox'));
    const remove = await http().put('/admin/queues/api/queues/medcom/job-schedulers/medcom-inbox/remove').auth(USER, PASSWORD);
    expect(remove.status).toBe(403);
    const edit = await http()
      .patch('/admin/queues/api/queues/medcom/job-schedulers/medcom-inbox')
      .auth(USER, PASSWORD)
      .send({ every: 86_400_000 });
    expect(edit.status).toBe(403);
    expect((await gw.schedulers('medcom')).map((s) => s.id)).toContain('medcom-inbox');

    await gw.enqueue('maintenance.noop', { permanent: true }, { jobId: 'board-dead-letter' });
    await eventually(async () => (await gw.jobState('maintenance', 'board-dead-letter')) === 'failed');
    const clean = await http().put('/admin/queues/api/queues/maintenance/clean/failed').auth(USER, PASSWORD);
    expect(clean.status).toBe(403);
    expect(await gw.jobState('maintenance', 'board-dead-letter')).toBe('failed');
    // Other states stay cleanable: completed jobs are no dead letters.
    expect((await http().put('/admin/queues/api/queues/maintenance/clean/completed').auth(USER, PASSWORD)).status).toBeLessThan(300);

    const trail = (await audit.query({})).filter((r) => r.action.startsWith('admin.board.'));
    expect(trail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'admin.board.remove-scheduler',
          outcome: 'failed',
          actor: USER,
          externalIds: { queue: 'medcom', scheduler: 'medcom-inbox' },
          reason: expect.stringMatching(/^refused: /),
        }),
        expect.objectContaining({
          action: 'admin.board.update-scheduler',
          outcome: 'failed',
          actor: USER,
          externalIds: { queue: 'medcom', scheduler: 'medcom-inbox' },
        }),
        expect.objectContaining({
          action: 'admin.board.clean-all',
          outcome: 'failed',
          actor: USER,
          externalIds: { queue: 'maintenance', status: 'failed' },
          reason: expect.stringMatching(/^refused: /),
        }),
      ]),
    );
    await gw.removeDeadLetter('maintenance/board-dead-letter', 'test');
  });

  it('reports a scheduler removed behind its back in readiness, and the worker check puts it back', async () => {
    await eventually(async () => (await gw.schedulers('medcom')).some((s) => s.id === 'medcom-receipt-watchdog'));
    expect((await http().get('/health/ready')).body.details.schedulers).toEqual({ status: 'up' });
    // As redis-cli, an older dashboard or a restored backup would: not through the gateway.
    expect(await gw.queue('medcom').removeJobScheduler('medcom-receipt-watchdog')).toBe(true);
    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.error.schedulers).toEqual({ status: 'down', missing: ['medcom/medcom-receipt-watchdog'] });

    await svc.app.get(WorkerHost).checkSchedulers();
    expect((await gw.schedulers('medcom')).map((s) => s.id)).toContain('medcom-receipt-watchdog');
    const after = await http().get('/health/ready');
    expect(after.body.status).toBe('ok');
    expect(after.body.details.schedulers).toEqual({ status: 'up' });
  });

  it('audits a dashboard action that failed inside bull-board', async () => {
    await gw.enqueue('maintenance.noop', { n: 1 }, { jobId: 'board-promote' });
    await eventually(async () => (await gw.jobState('maintenance', 'board-promote')) === 'completed');
    // Promoting a job that is not delayed throws in BullMQ: bull-board answers 500 without its after-hook.
    const res = await http().put('/admin/queues/api/queues/maintenance/board-promote/promote').auth(USER, PASSWORD);
    expect(res.status).toBe(500);
    await eventually(async () =>
      (await audit.query({})).some(
        (r) =>
          r.action === 'admin.board.error' &&
          r.outcome === 'failed' &&
          r.actor === USER &&
          r.externalIds?.request === 'PUT /api/queues/maintenance/board-promote/promote',
      ),
    );
  });
});

/** A local HTTP server that answers every request with one status. */
async function startPlainServer(status: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(status).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
