import { getFlowProducerToken, getQueueToken } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { FlowProducer, Job, JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AuditService } from '../src/audit/audit.service';
import type { AppConfig } from '../src/config/config.schema';
import { CONFIG, REDIS } from '../src/config/tokens';
import { redisErrorListener } from '../src/infra/redis-error-log';
import { maskCpr } from '../src/logging/redact';
import { jobsGauge } from '../src/metrics/metrics';
import { JOB_TYPES, JobName, JobPayload } from './job-types';
import { POLICIES } from './policies';
import { QUEUE_NAMES, QueueName } from './queue-names';

export const FLOW_PRODUCER = 'flows';

export interface EnqueueOptions {
  /** Deterministic id: enqueueing the same id twice is a no-op (BullMQ ignores duplicates). */
  jobId?: string;
  delayMs?: number;
}

export interface FlowNode<N extends JobName = JobName> {
  name: N;
  payload: JobPayload<N>;
  jobId: string;
  children?: FlowNode[];
}

export interface SchedulerRepeat {
  everyMs?: number;
  pattern?: string;
  tz?: string;
  startDate?: Date;
  endDate?: Date;
  limit?: number;
}

/** A scheduler the service keeps, as stored in Redis for restoring it. */
interface KeptScheduler {
  queue: QueueName;
  id: string;
  repeat: Pick<SchedulerRepeat, 'everyMs' | 'pattern' | 'tz'>;
  name: string;
  payload: unknown;
}

export interface DeadLetter {
  id: string; // "<queue>/<jobId>"
  queue: QueueName;
  jobId: string;
  name: string;
  reason: string;
  attemptsMade: number;
  failedAt?: string;
  /** The payload's ids; payloads never carry text. */
  payload: Record<string, unknown>;
}

/** The one door to BullMQ for the rest of the code: typed enqueue, flows, schedulers, dead letters. */
@Injectable()
export class QueueGateway implements OnModuleInit, BeforeApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  /** Listens for every producer's connection errors, which BullMQ would otherwise print as stacks. */
  onModuleInit(): void {
    for (const name of QUEUE_NAMES) this.queue(name).on('error', redisErrorListener(`queue:${name}`));
    this.moduleRef.get<FlowProducer>(getFlowProducerToken(FLOW_PRODUCER), { strict: false }).on('error', redisErrorListener('flows'));
  }

  /**
   * A producer still reconnecting at shutdown (Redis was away) cannot send QUIT: its fail-fast
   * options (no offline queue) make BullMQ's close() reject with "Stream isn't writeable", which
   * surfaced as an unhandled rejection and a stop that never ended. Such connections are dropped
   * here first; the close that @nestjs/bullmq runs afterwards then finds them ended.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const flows = this.moduleRef.get<FlowProducer>(getFlowProducerToken(FLOW_PRODUCER), { strict: false });
    const backends = [...QUEUE_NAMES.map((n) => this.queue(n).backend), flows.getBackend()];
    await Promise.all(
      backends.map(async (b) => {
        const client = await b.client.catch(() => undefined);
        // ioredis' own disconnect: BullMQ's waits for an 'end' event that a reconnecting client may never emit.
        if (client && client.status !== 'ready') client.disconnect();
      }),
    );
  }

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      this.queues.set(name, q);
    }
    return q;
  }

  allQueues(): Queue[] {
    return QUEUE_NAMES.map((n) => this.queue(n));
  }

  static jobOptions(queue: QueueName, opts: EnqueueOptions = {}): JobsOptions {
    const p = POLICIES[queue];
    return {
      jobId: opts.jobId,
      delay: opts.delayMs,
      attempts: p.attempts,
      backoff: { type: 'jittered', delay: p.backoffMs },
      removeOnComplete: { age: p.keepCompleted.ageSeconds, count: p.keepCompleted.count },
      removeOnFail: { age: p.keepFailedSeconds },
    };
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts: EnqueueOptions = {}): Promise<string> {
    const queue = JOB_TYPES[name].queue;
    const job = await this.queue(queue).add(name, payload as object, QueueGateway.jobOptions(queue, opts));
    return job.id!;
  }

  /** A parent job that runs after all its children have completed (BullMQ flow). */
  async addFlow(root: FlowNode): Promise<string> {
    const flows = this.moduleRef.get<FlowProducer>(getFlowProducerToken(FLOW_PRODUCER), { strict: false });
    const toFlow = (n: FlowNode): Parameters<FlowProducer['add']>[0] => {
      const queue = JOB_TYPES[n.name].queue;
      return {
        name: n.name,
        queueName: queue,
        data: n.payload as object,
        opts: QueueGateway.jobOptions(queue, { jobId: n.jobId }),
        children: n.children?.map(toFlow),
      };
    };
    const node = await flows.add(toFlow(root));
    return node.job.id!;
  }

  /**
   * Idempotent on restart: the same scheduler id replaces its previous definition. With `keep`, the
   * definition is also stored in Redis, so any worker can put the scheduler back if it goes missing
   * (see restoreSchedulers) and every api process's readiness can report it missing. One-shot
   * schedulers (limit 1) end by design and are not kept.
   */
  async upsertScheduler<N extends JobName>(
    schedulerId: string,
    repeat: SchedulerRepeat,
    name: N,
    payload: JobPayload<N>,
    opts: { keep?: boolean } = {},
  ): Promise<void> {
    const queue = JOB_TYPES[name].queue;
    if (opts.keep) {
      const kept: KeptScheduler = {
        queue,
        id: schedulerId,
        repeat: { everyMs: repeat.everyMs, pattern: repeat.pattern, tz: repeat.tz },
        name,
        payload,
      };
      await this.redis.hset(this.keptKey(), `${queue}/${schedulerId}`, JSON.stringify(kept));
    }
    await this.upsertJobScheduler(queue, schedulerId, repeat, name, payload);
  }

  private async upsertJobScheduler(
    queue: QueueName,
    schedulerId: string,
    repeat: SchedulerRepeat,
    name: string,
    payload: unknown,
  ): Promise<void> {
    const { jobId: _omit, ...opts } = QueueGateway.jobOptions(queue);
    await this.queue(queue).upsertJobScheduler(
      schedulerId,
      {
        every: repeat.everyMs,
        pattern: repeat.pattern,
        tz: repeat.tz,
        startDate: repeat.startDate,
        endDate: repeat.endDate,
        limit: repeat.limit,
      },
      { name, data: payload as object, opts },
    );
  }

  async removeScheduler(queue: QueueName, schedulerId: string): Promise<boolean> {
    // Forgotten first: a restore check running in between must not put it back.
    await this.redis.hdel(this.keptKey(), `${queue}/${schedulerId}`);
    return this.queue(queue).removeJobScheduler(schedulerId);
  }

  /** The kept schedulers that are not in their queue (removed by hand, lost with a Redis restore), as "<queue>/<id>". */
  async missingSchedulers(): Promise<string[]> {
    return (await this.missingKept()).map((k) => `${k.queue}/${k.id}`);
  }

  /** Puts every missing kept scheduler back from its stored definition; returns what it restored ("<queue>/<id>"). */
  async restoreSchedulers(): Promise<string[]> {
    const missing = await this.missingKept();
    for (const k of missing) await this.upsertJobScheduler(k.queue, k.id, k.repeat, k.name, k.payload);
    return missing.map((k) => `${k.queue}/${k.id}`);
  }

  private async missingKept(): Promise<KeptScheduler[]> {
    const stored = await this.redis.hgetall(this.keptKey());
    const out: KeptScheduler[] = [];
    for (const json of Object.values(stored)) {
      const k = JSON.parse(json) as KeptScheduler;
      if (!QUEUE_NAMES.includes(k.queue)) continue;
      if (!(await this.queue(k.queue).getJobScheduler(k.id))) out.push(k);
    }
    return out;
  }

  private keptKey(): string {
    return `${this.config.QUEUE_PREFIX}:kept-schedulers`;
  }

  async schedulers(queue: QueueName): Promise<Array<{ id: string; next?: number; name: string }>> {
    const list = await this.queue(queue).getJobSchedulers();
    return list.map((s) => ({ id: s.key, next: s.next, name: s.name }));
  }

  async jobState(queue: QueueName, jobId: string): Promise<string> {
    return this.queue(queue).getJobState(jobId);
  }

  async jobCounts(): Promise<Record<QueueName, Record<string, number>>> {
    const out = {} as Record<QueueName, Record<string, number>>;
    for (const name of QUEUE_NAMES) {
      const counts = await this.queue(name).getJobCounts(
        'waiting',
        'active',
        'delayed',
        'completed',
        'failed',
        'waiting-children',
        'prioritized',
      );
      out[name] = counts;
      for (const [state, n] of Object.entries(counts)) jobsGauge.set({ queue: name, state }, n);
    }
    return out;
  }

  // ---- dead letters: BullMQ's failed set holds only jobs that will not be retried again ----

  async deadLetters(limit = 500): Promise<DeadLetter[]> {
    const out: DeadLetter[] = [];
    for (const name of QUEUE_NAMES) {
      const jobs = await this.queue(name).getFailed(0, limit - 1);
      out.push(...jobs.filter(Boolean).map((j) => toDeadLetter(name, j)));
    }
    return out.sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''));
  }

  async deadLetter(id: string): Promise<DeadLetter | null> {
    const { queue, jobId } = parseDeadLetterId(id);
    // State first, then the job: BullMQ writes the failed reason and the failed state in one script,
    // so a job read after its state says 'failed' carries its reason. Read the other way round, a job
    // fetched while still active and then found failed showed the reason 'unknown' (a loaded-run flake).
    if ((await this.queue(queue).getJobState(jobId)) !== 'failed') return null;
    const job = await this.queue(queue).getJob(jobId);
    return job ? toDeadLetter(queue, job) : null;
  }

  async retryDeadLetter(id: string, actor: string): Promise<boolean> {
    return this.onDeadLetter(id, actor, 'admin.retry', (job) => job.retry('failed', { resetAttemptsMade: true }));
  }

  async retryAllDeadLetters(actor: string): Promise<number> {
    let n = 0;
    for (const dl of await this.deadLetters(10_000)) if (await this.retryDeadLetter(dl.id, actor)) n++;
    return n;
  }

  async removeDeadLetter(id: string, actor: string): Promise<boolean> {
    return this.onDeadLetter(id, actor, 'admin.remove', (job) => job.remove());
  }

  /** An operator's action on one dead letter (still failed), audited with the operator as actor. */
  private async onDeadLetter(
    id: string,
    actor: string,
    action: 'admin.retry' | 'admin.remove',
    act: (job: Job) => Promise<void>,
  ): Promise<boolean> {
    const { queue, jobId } = parseDeadLetterId(id);
    const job = await this.queue(queue).getJob(jobId);
    if (!job || !(await job.isFailed())) return false;
    await act(job);
    await this.audit.record({ action, system: 'tsm-bridge', outcome: 'ok', actor, externalIds: { job: id }, ...noteRef(job) });
    return true;
  }

  /** Removes dead letters older than the given age; returns how many. */
  async purgeDeadLetters(olderThanMs: number, actor: string): Promise<number> {
    let n = 0;
    for (const name of QUEUE_NAMES) {
      const removed = await this.queue(name).clean(olderThanMs, 100_000, 'failed');
      n += removed.length;
    }
    await this.audit.record({
      action: 'admin.purge',
      system: 'tsm-bridge',
      outcome: 'ok',
      actor,
      reason: `older than ${olderThanMs} ms: ${n}`,
    });
    return n;
  }

  async pause(queue: QueueName, actor: string): Promise<void> {
    await this.queue(queue).pause();
    await this.audit.record({ action: 'admin.pause', system: 'tsm-bridge', outcome: 'ok', actor, externalIds: { queue } });
  }

  async resume(queue: QueueName, actor: string): Promise<void> {
    await this.queue(queue).resume();
    await this.audit.record({ action: 'admin.resume', system: 'tsm-bridge', outcome: 'ok', actor, externalIds: { queue } });
  }
}

export function parseDeadLetterId(id: string): { queue: QueueName; jobId: string } {
  const i = id.indexOf('/');
  const queue = id.slice(0, i) as QueueName;
  if (i < 1 || !QUEUE_NAMES.includes(queue)) throw new Error(`not a dead-letter id (expected <queue>/<jobId>): ${id}`);
  return { queue, jobId: id.slice(i + 1) };
}

function noteRef(job: Job): { noteId?: number } {
  const n = (job.data as { noteId?: unknown })?.noteId;
  return typeof n === 'number' ? { noteId: n } : {};
}

/** Only id-like payload fields are shown: numbers, short tokens; anything else is masked. */
export function maskPayload(data: unknown): Record<string, unknown> {
  if (!data || typeof data !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'string' && /^[A-Za-z0-9._:/-]{1,64}$/.test(v) && !/^\d{10}$/.test(v) && !/^\d{6}-\d{4}$/.test(v)) out[k] = v;
    else out[k] = '[masked]';
  }
  return out;
}

function toDeadLetter(queue: QueueName, job: Job): DeadLetter {
  return {
    id: `${queue}/${job.id}`,
    queue,
    jobId: job.id!,
    name: maskCpr(job.name),
    reason: maskCpr(job.failedReason ?? 'unknown'), // reasons should hold no personal data; this is the safety net
    attemptsMade: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
    payload: maskPayload(job.data),
  };
}
