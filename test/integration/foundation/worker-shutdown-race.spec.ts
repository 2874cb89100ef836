import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import type { AuditService } from '../../../src/audit/audit.service';
import type { AppConfig } from '../../../src/config/config.schema';
import { redisOptionsFromUrl } from '../../../src/infra/redis-options';
import type { JobRegistry } from '../../../queues/job-registry';
import type { QueueGateway } from '../../../queues/queue.gateway';
import { WorkerHost } from '../../../queues/worker.host';
import { eventually } from '../../support/test-service';

/**
 * Shutdown with a job that outlasts the grace period (issue 21, found with Sentinel): BullMQ's
 * pause() waits for the running job and then reconnects the worker's blocking connection; run next to
 * a forced close, that reconnect came after the close and left a connection open for good (an open
 * handle, a process that does not exit). The job here waits on a promise the test resolves.
 */
describe('WorkerHost.close with a job longer than the grace period', () => {
  const url = process.env.TEST_REDIS_URL!;
  const prefix = `h21bshut${process.pid}x${Date.now().toString(36)}`;
  const admin = new Redis(url);
  const config = { QUEUE_PREFIX: prefix, QUEUE_LOCK_MS: 30_000, SCHEDULER_CHECK_MS: 3_600_000 } as AppConfig;
  let queue: Queue;
  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await admin.quit();
  });

  /** The Redis connections of this file's workers: BullMQ names them `<prefix>:<base64(queue)>`. */
  const ownConnections = async () =>
    String(await admin.client('LIST'))
      .split('\n')
      .filter((line) => line.includes(` name=${prefix}:`)).length;

  /** A WorkerHost on this file's prefix whose one job type waits until the test releases it. */
  async function startHost() {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let finished!: () => void;
    const handlerDone = new Promise<void>((r) => (finished = r));
    const registry = {
      handler: () => async () => {
        started();
        await released;
        finished();
        return { ok: true };
      },
    } as unknown as JobRegistry;
    const audit = { record: async () => undefined } as unknown as AuditService;
    const gateway = { restoreSchedulers: async () => [] } as unknown as QueueGateway;
    const host = new WorkerHost(registry, config, redisOptionsFromUrl(url), audit, gateway);
    host.onApplicationBootstrap();
    const workers = [...(host as unknown as { workers: Worker[] }).workers];
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    queue ??= new Queue('maintenance', { connection: { url }, prefix });
    return { host, workers, release, running, handlerDone };
  }

  /** Every ioredis client of the workers has ended (not reconnecting, not open). */
  async function expectAllEnded(workers: Worker[]) {
    for (const w of workers) {
      const backend = (w as unknown as { backend: { client: Promise<Redis>; blockingClient?: Promise<Redis> } }).backend;
      expect((await backend.client).status).toBe('end');
      if (backend.blockingClient) expect((await backend.blockingClient).status).toBe('end');
    }
    await eventually(async () => (await ownConnections()) === 0);
  }

  it('closes every connection and none reconnects when the abandoned job ends later', async () => {
    const { host, workers, release, running, handlerDone } = await startHost();
    await queue.add('maintenance.noop', { n: 1 }, { jobId: 'long' });
    await running;
    expect(await ownConnections()).toBeGreaterThan(0);

    await host.close(5); // the job is still running: the grace period runs out
    release();
    await handlerDone;
    // The worker's main loop ends once the abandoned job has ended; before the fix, the pause that was
    // still waiting for it reconnected the blocking connection right after that.
    const maintenance = workers.find((w) => w.name === 'maintenance')!;
    await (maintenance as unknown as { mainLoopRunning?: Promise<void> }).mainLoopRunning;
    await new Promise((r) => setImmediate(r));

    await expectAllEnded(workers);
    expect(await queue.getJobState('long')).toBe('active'); // abandoned, not completed: another worker takes it as stalled
  });

  it('a job that ends within the grace period is completed before the connections close', async () => {
    const { host, workers, release, running } = await startHost();
    await queue.add('maintenance.noop', { n: 2 }, { jobId: 'short' });
    await running;
    const closed = host.close(60_000); // generous: the test ends the job itself
    release();
    await closed;
    expect(await queue.getJobState('short')).toBe('completed');
    expect((await queue.getJob('short'))!.stalledCounter).toBe(0);
    await expectAllEnded(workers);
  });
});
