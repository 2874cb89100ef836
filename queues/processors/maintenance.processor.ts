import { Injectable } from '@nestjs/common';
import { PermanentError, RetryableError } from '../../src/common/errors';
import type { JobContext } from '../job-context';
import { JobHandler } from '../job-handler.decorator';
import type { JobPayload } from '../job-types';

/** The no-op job: lets health checks, tests and the benchmark exercise the queue machinery alone. */
@Injectable()
export class MaintenanceProcessor {
  @JobHandler('maintenance.noop')
  async noop(p: JobPayload<'maintenance.noop'>, ctx: JobContext): Promise<{ n?: number }> {
    if (p.sleepMs) await new Promise((r) => setTimeout(r, p.sleepMs));
    if (p.permanent) throw new PermanentError('no-op asked to fail permanently', 'NOOP_PERMANENT');
    if (p.failTimes && ctx.attemptsMade < p.failTimes) throw new RetryableError('no-op asked to fail', 'NOOP_RETRY');
    return { n: p.n };
  }
}
