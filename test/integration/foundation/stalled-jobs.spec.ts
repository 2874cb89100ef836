import { Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { POLICIES } from '../../../queues/policies';
import { QUEUE_NAMES, QueueName } from '../../../queues/queue-names';
import { workerOptions } from '../../../queues/worker.host';
import { redisOptionsFromUrl } from '../../../src/infra/redis-options';
import { testConfig } from '../../support/test-service';

/**
 * A crash is simulated exactly as Redis sees it: a worker takes the job (active, locked), dies, its
 * lock disappears, and two stalled-check passes (the first marks active jobs, the second moves the
 * unlocked ones back) return the job to the queue. The stall limit is the queue's own worker setting.
 */
describe('a job cut off by crashes is picked up again within its attempts', () => {
  const config = testConfig();
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const open: Array<Queue | Worker> = [];
  afterAll(async () => {
    for (const o of open) await o.close();
    redis.disconnect();
  });

  async function crashOnce(queue: QueueName, worker: Worker, id: string): Promise<Job> {
    const job = (await worker.getNextJob(`crash-${Math.random()}`, { block: false })) as Job;
    expect(job?.id).toBe(id);
    // The worker process dies: nobody renews the lock, and it expires.
    await redis.del(`${config.QUEUE_PREFIX}:${queue}:${id}:lock`);
    for (let pass = 0; pass < 2; pass++) {
      // The check is rate-limited to once per stalledInterval by a key; passes are driven here instead.
      await redis.del(`${config.QUEUE_PREFIX}:${queue}:stalled-check`);
      await (worker as unknown as { moveStalledJobsToWait(): Promise<void> }).moveStalledJobsToWait();
    }
    return job;
  }

  it.each(QUEUE_NAMES.map((q) => [q, POLICIES[q].attempts]))(
    '%s: %d crashes leave the job runnable; one more dead-letters it',
    async (queue, attempts) => {
      const q = new Queue(queue, { connection: { url: process.env.TEST_REDIS_URL }, prefix: config.QUEUE_PREFIX });
      const worker = new Worker(queue, null, {
        ...workerOptions(queue, config, redisOptionsFromUrl(process.env.TEST_REDIS_URL!)),
        autorun: false,
      });
      open.push(q, worker);
      const id = `stalled-${queue}`;
      await q.add('agenda.collect', { districtId: 'x', meetingDate: '2026-12-03' }, { jobId: id, attempts });

      for (let crash = 1; crash <= attempts; crash++) await crashOnce(queue, worker, id);
      const after = (await q.getJob(id))!;
      expect(after.stalledCounter).toBe(attempts);
      expect(await after.getState()).toBe('waiting');
      // A worker taking it now runs it: no stall-limit failure is waiting for it.
      expect(after.deferredFailure).toBeUndefined();

      // Bounded: a job that keeps killing its worker still ends in the dead letters.
      const last = await crashOnce(queue, worker, id);
      expect(last.id).toBe(id);
      expect((await q.getJob(id))!.deferredFailure).toBe('job stalled more than allowable limit');
    },
  );
});
