import { ConnectionOptions, Queue, Worker } from 'bullmq';
import { QueueGateway } from '../../queues/queue.gateway';
import { POLICIES } from '../../queues/policies';
import { producerRedisOptions, redisOptionsFromUrl, workerRedisOptions } from '../../src/infra/redis-options';

/**
 * The raw BullMQ baseline for the queue-overhead measurement: a plain Queue and one plain Worker
 * (no-op processor) on the same Redis, with the job options and worker settings our gateway and
 * worker host use for the maintenance queue, so the difference is our layer alone. Benchmark code
 * may import bullmq directly (the "only queues/ imports bullmq" rule is for the service); the
 * pausing queue handle below is also how the bench holds jobs back while a worker starts.
 */
export class RawBullmq {
  readonly queue: Queue;

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
    readonly name = 'maintenance',
  ) {
    this.queue = new Queue(name, { connection: producerRedisOptions(redisOptionsFromUrl(redisUrl)) as ConnectionOptions, prefix });
  }

  async add(n: number): Promise<void> {
    const { jobId: _none, ...opts } = QueueGateway.jobOptions('maintenance');
    await this.queue.add('maintenance.noop', { n }, opts);
  }

  worker(lockMs: number): Worker {
    return new Worker(this.name, async () => undefined, {
      connection: workerRedisOptions(redisOptionsFromUrl(this.redisUrl)) as ConnectionOptions,
      prefix: this.prefix,
      concurrency: POLICIES.maintenance.concurrency,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 5,
    });
  }

  /** Jobs not yet finished (waiting, active, delayed, prioritized). */
  async unfinished(): Promise<number> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
