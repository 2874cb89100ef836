import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PermanentError, RetryableError } from '../../src/common/errors';
import type { AppConfig } from '../../src/config/config.schema';
import { CONFIG, REDIS } from '../../src/config/tokens';
import { AofScrub, ScrubResult } from '../../src/infra/aof-scrub';
import type { JobContext } from '../job-context';
import { JobHandler } from '../job-handler.decorator';
import type { JobPayload } from '../job-types';
import { QueueGateway } from '../queue.gateway';

export const SCRUB_AOF_SCHEDULER_ID = 'maintenance-scrub-aof';

/**
 * The no-op job (lets health checks, tests and the benchmark exercise the queue machinery alone),
 * and the AOF scrub that takes deleted personal data off the disk.
 */
@Injectable()
export class MaintenanceProcessor implements OnApplicationBootstrap {
  private readonly scrub: AofScrub;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly queues: QueueGateway,
  ) {
    // The rate limit is the period itself: one rewrite per period at most, so the bound holds and a
    // busy day of acknowledgements costs one rewrite per period, not one per letter.
    this.scrub = new AofScrub(redis, config.QUEUE_PREFIX, { minIntervalMs: Math.max(1, config.PERSONAL_DATA_SCRUB_MS - 1000) });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.PERSONAL_DATA_SCRUB_MS > 0) {
      await this.queues.upsertScheduler(
        SCRUB_AOF_SCHEDULER_ID,
        { everyMs: this.config.PERSONAL_DATA_SCRUB_MS },
        'maintenance.scrub-aof',
        {},
        { keep: true },
      );
    } else {
      // Turned off: also forgotten as a kept scheduler, so the worker's check does not put it back.
      await this.queues.removeScheduler('maintenance', SCRUB_AOF_SCHEDULER_ID);
    }
  }

  @JobHandler('maintenance.noop')
  async noop(p: JobPayload<'maintenance.noop'>, ctx: JobContext): Promise<{ n?: number }> {
    if (p.sleepMs) await new Promise((r) => setTimeout(r, p.sleepMs));
    if (p.permanent) throw new PermanentError('no-op asked to fail permanently', 'NOOP_PERMANENT');
    if (p.failTimes && ctx.attemptsMade < p.failTimes) throw new RetryableError('no-op asked to fail', 'NOOP_RETRY');
    return { n: p.n };
  }

  @JobHandler('maintenance.scrub-aof')
  async scrubAof(_p: JobPayload<'maintenance.scrub-aof'>, ctx: JobContext): Promise<ScrubResult> {
    const result = await this.scrub.run();
    if (result.rewritten) ctx.log.info({ deletions: result.deletions }, 'AOF rewritten: deleted personal data is off the disk');
    else if (result.reason === 'refused')
      ctx.log.warn('Redis refused BGREWRITEAOF: deleted personal data stays in the AOF until Redis rewrites it (docs/reliability.md)');
    return result;
  }
}
