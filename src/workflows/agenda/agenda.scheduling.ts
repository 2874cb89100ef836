import { Injectable, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { WorkerHost } from '../../../queues/worker.host';
import { errorCode } from '../../common/errors';
import { rootLogger } from '../../logging/logger';
import { AgendaPlanner } from './agenda.planner';

/**
 * Plans the agenda schedulers when a process that runs workers starts (the api role only enqueues).
 * A failure is logged, not fatal: the daily 'agenda.plan' job and the next start plan again.
 */
@Injectable()
export class AgendaScheduling implements OnApplicationBootstrap {
  constructor(
    private readonly planner: AgendaPlanner,
    @Optional() private readonly workers?: WorkerHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.workers) return;
    try {
      await this.planner.planAll();
    } catch (err) {
      rootLogger().error(
        { component: 'agenda-planner', code: errorCode(err) },
        'planning the agenda collects failed; the daily plan job retries',
      );
    }
  }
}
