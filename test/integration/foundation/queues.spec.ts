import { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import type { RunningService } from '../../../src/main';
import { eventually, startTestService } from '../../support/test-service';

describe('queue gateway against a real Redis', () => {
  let svc: RunningService;
  let gw: QueueGateway;
  beforeAll(async () => {
    svc = await startTestService('worker');
    gw = svc.app.get(QueueGateway);
  });
  afterAll(() => svc.stop());

  it('runs a job and ignores a duplicate job id', async () => {
    await gw.enqueue('maintenance.noop', { n: 1 }, { jobId: 'noop-dup' });
    await gw.enqueue('maintenance.noop', { n: 2 }, { jobId: 'noop-dup' });
    await eventually(async () => (await gw.jobState('maintenance', 'noop-dup')) === 'completed');
    const job = await gw.queue('maintenance').getJob('noop-dup');
    expect(job?.returnvalue).toEqual({ n: 1 });
  });

  it('dead-letters a permanent failure at once with its reason, and replays it', async () => {
    await gw.enqueue('maintenance.noop', { permanent: true }, { jobId: 'noop-perm' });
    await eventually(async () => (await gw.jobState('maintenance', 'noop-perm')) === 'failed');
    const dl = await gw.deadLetter('maintenance/noop-perm');
    expect(dl).toMatchObject({ name: 'maintenance.noop', attemptsMade: 1 });
    expect(dl!.reason).toContain('[NOOP_PERMANENT]');
    const audit = svc.app.get(AuditService);
    await eventually(async () =>
      (await audit.query({})).some((r) => r.action === 'dead-letter' && r.externalIds?.job === 'maintenance/noop-perm'),
    );
    expect(await gw.retryDeadLetter('maintenance/noop-perm', 'test')).toBe(true);
    expect((await audit.query({})).some((r) => r.action === 'admin.retry')).toBe(true);
  });

  it('retries a retryable failure and then succeeds', async () => {
    const q = gw.queue('maintenance');
    const job = await q.add(
      'maintenance.noop',
      { failTimes: 2 },
      { ...QueueGateway.jobOptions('maintenance', { jobId: 'noop-retry' }), backoff: { type: 'fixed', delay: 10 } },
    );
    await eventually(async () => (await gw.jobState('maintenance', job.id!)) === 'completed');
    // BullMQ counts the successful attempt too: two failures + one success.
    expect((await q.getJob(job.id!))!.attemptsMade).toBe(3);
  });

  it('dead-letters a retryable failure after the last attempt', async () => {
    const q = gw.queue('maintenance');
    await q.add(
      'maintenance.noop',
      { failTimes: 99 },
      { ...QueueGateway.jobOptions('maintenance', { jobId: 'noop-exhaust' }), backoff: { type: 'fixed', delay: 10 } },
    );
    await eventually(async () => (await gw.jobState('maintenance', 'noop-exhaust')) === 'failed');
    const dl = await gw.deadLetter('maintenance/noop-exhaust');
    expect(dl!.attemptsMade).toBe(3);
    expect(dl!.reason).toContain('[NOOP_RETRY]');
  });
});
