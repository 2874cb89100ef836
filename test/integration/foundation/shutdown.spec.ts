import { QueueGateway } from '../../../queues/queue.gateway';
import type { RunningService } from '../../../src/main';
import { killServiceProcesses, ServiceProcess, serviceProcessEnv } from '../../support/service-process';
import { eventually, startTestService } from '../../support/test-service';

/**
 * The worker runs as a real OS process (production start path and signal handling); the test
 * process only enqueues and watches the queues. Locks are short so a dead worker's job is
 * recovered as stalled within seconds.
 */
describe('worker shutdown loses no job', () => {
  const env = serviceProcessEnv({ QUEUE_LOCK_MS: '1000', SHUTDOWN_GRACE_MS: '300' });
  let producer: RunningService;
  let gw: QueueGateway;

  beforeAll(async () => {
    producer = await startTestService('api', env, { sandboxes: false });
    gw = producer.app.get(QueueGateway);
  });
  afterAll(async () => {
    await killServiceProcesses();
    await producer?.stop();
  });

  const state = (jobId: string) => gw.jobState('maintenance', jobId);
  const job = async (jobId: string) => (await gw.queue('maintenance').getJob(jobId))!;

  it('SIGTERM with a job longer than the grace period: the process exits, the next worker finishes the job', async () => {
    const first = await ServiceProcess.start({ env });
    await gw.enqueue('maintenance.noop', { n: 1, sleepMs: 1500 }, { jobId: 'sigterm-long' });
    await eventually(async () => (await state('sigterm-long')) === 'active');

    const exit = await first.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain('shutdown grace period over');
    expect(await state('sigterm-long')).toBe('active'); // abandoned, still locked: not failed, not lost

    const second = await first.restart();
    await eventually(async () => (await state('sigterm-long')) === 'completed', 20_000, 100);
    const done = await job('sigterm-long');
    expect(done.returnvalue).toEqual({ n: 1 });
    expect(done.stalledCounter).toBe(1); // picked up again as stalled, not retried as a failure
    expect(done.attemptsMade).toBe(1);
    await second.stop();
  });

  it('SIGTERM with a job shorter than the grace period: the job finishes before the process exits', async () => {
    const worker = await ServiceProcess.start({ env: { ...env, SHUTDOWN_GRACE_MS: '5000' } });
    await gw.enqueue('maintenance.noop', { n: 2, sleepMs: 600 }, { jobId: 'sigterm-short' });
    await eventually(async () => (await state('sigterm-short')) === 'active');
    expect(await worker.stop()).toEqual({ code: 0, signal: null });
    expect(await state('sigterm-short')).toBe('completed');
    expect((await job('sigterm-short')).stalledCounter).toBe(0);
  });

  it('SIGKILL mid-job: the next worker finishes the job', async () => {
    const first = await ServiceProcess.start({ env });
    await gw.enqueue('maintenance.noop', { n: 3, sleepMs: 1500 }, { jobId: 'sigkill' });
    await eventually(async () => (await state('sigkill')) === 'active');
    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await state('sigkill')).toBe('active');

    const second = await first.restart();
    await eventually(async () => (await state('sigkill')) === 'completed', 20_000, 100);
    expect((await job('sigkill')).returnvalue).toEqual({ n: 3 });
    await second.stop();
  });

  it('the api role serves until SIGTERM and then exits cleanly', async () => {
    const api = await ServiceProcess.start({ role: 'api', env: { ...env, PORT: '0' } });
    expect((await fetch(`${api.baseUrl}/health/live`)).status).toBe(200);
    expect(await api.stop()).toEqual({ code: 0, signal: null });
  });
});
