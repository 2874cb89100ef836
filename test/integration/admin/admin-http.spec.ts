import request from 'supertest';
import { QueueGateway } from '../../../queues/queue.gateway';
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
    svc = await startTestService('all', {}, { sandboxes: false });
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
    const api = await http().get('/admin/queues/api/queues').auth(USER, PASSWORD);
    expect(api.status).toBe(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(
      ['after-meeting', 'agenda', 'children', 'edoc', 'maintenance', 'medcom', 'nexus'],
    );
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
    const res = await http().get('/admin/queues/api/queues?activeQueue=maintenance&status=completed&page=1&jobsPerPage=50').auth(USER, PASSWORD);
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
  });
});
