import { copenhagenDate } from '../../common/local-time';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { JobRegistry } from '../../../queues/job-registry';
import { QueueGateway } from '../../../queues/queue.gateway';
import type { AppConfig } from '../../config/config.schema';
import { CLOCK, Clock } from '../../common/clock';
import { CONFIG } from '../../config/tokens';
import { setMeetingNotesSource } from '../../metrics/metrics';
import { MeetingStatusService } from './after-meeting.status';

export const WATCH_SCHEDULER_ID = 'notes-watch';

/**
 * Puts the locked-note watch on its schedule when a worker boots (the job registry exists only in
 * worker processes). Upserting is idempotent across restarts and workers; WATCH_INTERVAL_MS=0
 * removes the schedule.
 */
@Injectable()
export class WatchScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly gateway: QueueGateway,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Optional() private readonly registry?: JobRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.registry) return;
    if (this.config.WATCH_INTERVAL_MS > 0) {
      await this.gateway.upsertScheduler(WATCH_SCHEDULER_ID, { everyMs: this.config.WATCH_INTERVAL_MS }, 'notes.watch', {}, { keep: true });
    } else {
      await this.gateway.removeScheduler('after-meeting', WATCH_SCHEDULER_ID);
    }
  }
}

/** Feeds the tsm_meeting_notes gauge from the meeting status at scrape time. */
@Injectable()
export class MeetingNotesGaugeSource implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly status: MeetingStatusService, @Inject(CLOCK) private readonly clock: Clock) {}

  onApplicationBootstrap(): void {
    setMeetingNotesSource(() => this.status.gaugeRows(copenhagenDate(this.clock.now())));
  }

  onApplicationShutdown(): void {
    setMeetingNotesSource(undefined);
  }
}
