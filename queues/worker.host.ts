import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ConnectionOptions, Job, UnrecoverableError, Worker, WorkerOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { AuditService } from '../src/audit/audit.service';
import { classifyError, errorCode } from '../src/common/errors';
import type { AppConfig } from '../src/config/config.schema';
import { CONFIG, REDIS_CONNECTION } from '../src/config/tokens';
import { workerRedisOptions } from '../src/infra/redis-options';
import { rootLogger } from '../src/logging/logger';
import { maskCpr } from '../src/logging/redact';
import { jobDuration, jobFailures } from '../src/metrics/metrics';
import type { JobContext } from './job-context';
import { JobRegistry } from './job-registry';
import { QueueGateway } from './queue.gateway';
import { isJobName, JobName } from './job-types';
import { backoffDelay, POLICIES } from './policies';
import { QUEUE_NAMES, QueueName } from './queue-names';

/**
 * A queue's worker settings. maxStalledCount equals the queue's attempts: a job cut off by a crash
 * (its lock expired with no one renewing it) goes back to the queue, and a stall does not increment
 * attemptsMade, so a lower stall limit would dead-letter a job ("job stalled more than allowable
 * limit") while it still had attempts left. A job that keeps killing its worker still ends in the
 * dead letters, after as many stalls as it had attempts.
 */
export function workerOptions(queue: QueueName, config: AppConfig, redis: RedisOptions): WorkerOptions {
  const policy = POLICIES[queue];
  return {
    connection: workerRedisOptions(redis) as ConnectionOptions,
    prefix: config.QUEUE_PREFIX,
    concurrency: policy.concurrency,
    lockDuration: config.QUEUE_LOCK_MS,
    stalledInterval: config.QUEUE_LOCK_MS,
    maxStalledCount: policy.attempts,
    settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, policy.backoffMs) },
  };
}

/**
 * Runs one BullMQ worker per queue and dispatches each job to its registered handler. Workers are
 * built here rather than with @Processor decorators because their lock duration and connection come
 * from runtime config. Permanent failures become UnrecoverableError, so they skip the remaining
 * attempts and land in the dead-letter (failed) set at once with their reason.
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap {
  private readonly workers: Worker[] = [];
  private readonly log: Logger = rootLogger().child({ component: 'worker' });
  private schedulerCheck?: NodeJS.Timeout;
  private checking?: Promise<void>;

  constructor(
    private readonly registry: JobRegistry,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CONNECTION) private readonly redis: RedisOptions,
    @Inject(AuditService) private readonly audit: AuditService,
    private readonly gateway: QueueGateway,
  ) {}

  onApplicationBootstrap(): void {
    for (const queue of QUEUE_NAMES) this.workers.push(this.startWorker(queue));
    // The inbox reader, the locked-note watch, the receipt watchdog and the daily agenda plan run only
    // while their schedulers exist; one removed by hand (or lost with Redis data) comes back here.
    this.schedulerCheck = setInterval(() => void this.checkSchedulers(), this.config.SCHEDULER_CHECK_MS);
    this.schedulerCheck.unref();
  }

  /** Re-creates missing kept schedulers; one check at a time, failures (Redis down) wait for the next. */
  checkSchedulers(): Promise<void> {
    this.checking ??= this.gateway
      .restoreSchedulers()
      .then((restored) => {
        if (restored.length) this.log.warn({ restored }, 'missing job schedulers re-created');
      })
      .catch((err) => this.log.warn({ code: errorCode(err) }, 'job scheduler check failed; trying again at the next check'))
      .finally(() => {
        this.checking = undefined;
      });
    return this.checking;
  }

  private startWorker(queue: QueueName): Worker {
    const worker = new Worker(queue, (job) => this.dispatch(queue, job), workerOptions(queue, this.config, this.redis));
    worker.on('error', (err) => this.log.warn({ queue, code: errorCode(err) }, 'worker connection error'));
    worker.on('failed', (job, err) => {
      if (!job) return;
      const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      if (!final) return;
      const noteId = (job.data as { noteId?: unknown })?.noteId;
      void this.audit
        .record({
          action: 'dead-letter',
          system: 'tsm-bridge',
          outcome: 'failed',
          reason: err.message.slice(0, 300),
          externalIds: { job: `${queue}/${job.id}`, name: maskCpr(job.name) },
          ...(typeof noteId === 'number' ? { noteId } : {}),
        })
        .catch(() => undefined);
    });
    return worker;
  }

  private async dispatch(queue: QueueName, job: Job): Promise<unknown> {
    const log = this.log.child({ queue, job: job.name, jobId: job.id, attempt: job.attemptsMade + 1 });
    const ctx: JobContext = {
      jobId: job.id!,
      name: job.name as JobName,
      queue,
      attemptsMade: job.attemptsMade,
      attempts: job.opts.attempts ?? 1,
      log,
      childResults: () => job.getChildrenValues(),
    };
    // Metric labels only from our own job types: a foreign job name could be any text.
    const jobLabel = isJobName(job.name) ? job.name : 'unknown';
    const stop = jobDuration.startTimer({ queue, job: jobLabel });
    try {
      const result = await this.registry.handler(job.name)(job.data, ctx);
      stop({ outcome: 'ok' });
      return result;
    } catch (err) {
      const cls = classifyError(err);
      stop({ outcome: cls });
      jobFailures.inc({ queue, job: jobLabel, error_class: cls });
      const reason = `[${errorCode(err)}] ${(err as Error)?.message ?? String(err)}`;
      log.warn({ errorClass: cls, code: errorCode(err) }, `job failed: ${reason}`);
      if (cls === 'permanent') throw new UnrecoverableError(reason);
      throw new Error(reason);
    }
  }

  /** Waits for active jobs up to the grace period; after that, jobs are left to be picked up again as stalled. */
  async close(graceMs: number): Promise<void> {
    clearInterval(this.schedulerCheck);
    await this.checking;
    // pause() stops taking jobs and waits for the running ones. Not close(): BullMQ memoises the first
    // close, so a later close(true) would keep waiting for the jobs instead of giving up on them.
    const drained = Promise.all(this.workers.map((w) => w.pause()));
    const timedOut = await Promise.race([
      drained.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
    ]);
    if (timedOut) this.log.warn({ graceMs }, 'shutdown grace period over; unfinished jobs will be retried by another worker');
    // Forced: unfinished jobs' locks are no longer renewed, expire, and another worker takes the jobs as stalled.
    await Promise.all(this.workers.map((w) => w.close(true)));
    this.workers.length = 0;
  }
}
