import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { JobRegistry } from '../../../queues/job-registry';
import { QueueGateway } from '../../../queues/queue.gateway';
import type { AppConfig } from '../../config/config.schema';
import { CLOCK, Clock } from '../../common/clock';
import { CONFIG } from '../../config/tokens';
import { addCalendarDays, COPENHAGEN, copenhagenDate, localToInstant } from '../../common/local-time';
import { parseHhmm } from '../../domain/meeting-calendar';
import { setMeetingNotesSource } from '../../metrics/metrics';
import { MeetingStatusService } from './after-meeting.status';
import type { NotesWatch, WatchSummary } from './after-meeting.watch';
import { JobHandler } from '../../../queues/job-handler.decorator';

export const WATCH_SCHEDULER_ID = 'notes-watch';

/** The nightly sweep's job id: one per Copenhagen date, so planning it at every start and after every sweep adds it once. */
export const sweepJobId = (date: string) => `notes-sweep-${date}`;

/** The next WATCH_SWEEP_AT (HH:MM, Europe/Copenhagen) strictly after `now`. */
export function nextSweepAt(now: Date, at: string): Date {
  const { hour, minute } = parseHhmm(at);
  const today = copenhagenDate(now);
  const first = localToInstant(today, hour, minute, COPENHAGEN);
  return first > now ? first : localToInstant(addCalendarDays(today, 1), hour, minute, COPENHAGEN);
}

/**
 * Plans the nightly sweep as one delayed 'notes.sweep' job per night (id per date), delayed from the
 * service's clock (so a service at TSM_NOW sweeps at 02:30 of its own night, across DST), like the
 * agenda collects. The sweep job plans the next night's before it walks.
 */
export class SweepPlanner {
  constructor(
    private readonly gateway: Pick<QueueGateway, 'enqueue'>,
    private readonly sweepAt: string,
    private readonly now: () => Date = () => new Date(),
    private readonly watch?: Pick<NotesWatch, 'sweep'>,
  ) {}

  /** The 'notes.sweep' job: plans the next night's first, so a sweep that fails for good does not end the series. */
  @JobHandler('notes.sweep')
  async runSweep(): Promise<WatchSummary> {
    await this.planNext();
    if (!this.watch) throw new Error('the sweep planner has no watch to run');
    return this.watch.sweep();
  }

  async planNext(): Promise<{ at: string; jobId: string }> {
    const now = this.now();
    const at = nextSweepAt(now, this.sweepAt);
    const jobId = sweepJobId(copenhagenDate(at));
    await this.gateway.enqueue('notes.sweep', {}, { jobId, delayMs: Math.max(0, at.getTime() - now.getTime()) });
    return { at: at.toISOString(), jobId };
  }
}

/**
 * Puts the watch on its schedule when a worker boots (the job registry exists only in worker
 * processes): the targeted pass every WATCH_INTERVAL_MS (outside a meeting's follow-up window a pass
 * reads only Redis) and the next nightly sweep. Idempotent across restarts and workers;
 * WATCH_INTERVAL_MS=0 removes the schedule and plans no sweep.
 */
@Injectable()
export class WatchScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly gateway: QueueGateway,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly sweeps: SweepPlanner,
    @Optional() private readonly registry?: JobRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.registry) return;
    if (this.config.WATCH_INTERVAL_MS > 0) {
      await this.gateway.upsertScheduler(WATCH_SCHEDULER_ID, { everyMs: this.config.WATCH_INTERVAL_MS }, 'notes.watch', {}, { keep: true });
      await this.sweeps.planNext();
    } else {
      await this.gateway.removeScheduler('after-meeting', WATCH_SCHEDULER_ID);
    }
  }
}

/** Feeds the tsm_meeting_notes gauge from the meeting status at scrape time. */
@Injectable()
export class MeetingNotesGaugeSource implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly status: MeetingStatusService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    setMeetingNotesSource(() => this.status.gaugeRows(copenhagenDate(this.clock.now())));
  }

  onApplicationShutdown(): void {
    setMeetingNotesSource(undefined);
  }
}
