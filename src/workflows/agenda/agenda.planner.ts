import type { AgendaMeetingPayload } from '../../../queues/jobs/agenda.jobs';
import type { QueueGateway } from '../../../queues/queue.gateway';
import type { District } from '../../config/districts';
import { COPENHAGEN } from '../../common/local-time';
import { cutoffInstant, meetingStartInstant, morningInstant, nextHeldMeetingAt } from '../../domain/meeting-calendar';
import { rootLogger } from '../../logging/logger';
import type { AgendaStore } from './agenda.store';

export type PhasePlan = 'scheduled' | 'caught-up' | 'done';

export interface MeetingPlan {
  districtId: string;
  meetingDate: string;
  /** Series dates before it that are not held (public holidays). */
  skipped?: Array<{ date: string; reason: string }>;
  cutoff: { at: string; plan: PhasePlan };
  morning: { at: string; plan: PhasePlan };
}

/** The one-shot cron schedulers of earlier versions (one per district and phase); planning removes them. */
export const legacySchedulerId = (districtId: string, phase: 'cutoff' | 'morning') => `agenda.${phase}.${districtId}`;
export const PLAN_SCHEDULER_ID = 'agenda.plan';

export const collectJobId = (p: AgendaMeetingPayload) => `agenda-collect-${p.districtId}-${p.meetingDate}-${p.phase}`;
export const publishJobId = (p: AgendaMeetingPayload, fingerprint: string) =>
  `agenda-publish-${p.districtId}-${p.meetingDate}-${fingerprint}`;

/**
 * Plans each district's next meeting: a delayed collect job at the cut-off and one on the morning of
 * the meeting (each collect enqueues its publish). The instants come from the meeting series in
 * Copenhagen wall time (16:00 stays 16:00 across DST) and the delay from the service's clock, so a
 * service started at TSM_NOW fires them at the right moment of its own day; a cron scheduler would
 * follow the machine's calendar instead. Job ids are deterministic per district, meeting and phase,
 * so planning at every worker start and daily adds nothing twice. A collect whose time has passed
 * without running (the worker was down) is enqueued at once under the same id.
 */
export class AgendaPlanner {
  private readonly log = rootLogger().child({ component: 'agenda-planner' });

  constructor(
    private readonly queues: QueueGateway,
    private readonly store: AgendaStore,
    private readonly districts: readonly District[],
    private readonly planCron: string,
    private readonly now: () => Date = () => new Date(),
    /** Why a series date is not held (a public holiday's name), or null; AGENDA_SKIP_PUBLIC_HOLIDAYS. */
    private readonly cancelled: (date: string) => string | null = () => null,
  ) {}

  async planAll(): Promise<MeetingPlan[]> {
    await this.queues.upsertScheduler(PLAN_SCHEDULER_ID, { pattern: this.planCron, tz: COPENHAGEN }, 'agenda.plan', {}, { keep: true });
    const plans: MeetingPlan[] = [];
    for (const d of this.districts) plans.push(await this.planDistrict(d));
    this.log.info({ plans }, 'agenda collects planned');
    return plans;
  }

  /** The meeting to plan for: the next held one that has not started yet. */
  nextMeeting(d: District): string {
    return this.nextHeldMeeting(d).date;
  }

  private nextHeldMeeting(d: District): { date: string; skipped: Array<{ date: string; reason: string }> } {
    return nextHeldMeetingAt(d, this.now(), this.cancelled);
  }

  /** A scheduled collect that fires after its meeting began (a stale scheduler) has nothing to do. */
  isOver(d: District, p: AgendaMeetingPayload): boolean {
    return p.phase !== 'manual' && meetingStartInstant(d, p.meetingDate) <= this.now();
  }

  async planDistrict(d: District): Promise<MeetingPlan> {
    const { date: meetingDate, skipped } = this.nextHeldMeeting(d);
    const plan = async (phase: 'cutoff' | 'morning', at: Date): Promise<{ at: string; plan: PhasePlan }> => {
      const payload: AgendaMeetingPayload = { districtId: d.id, meetingDate, phase };
      await this.queues.removeScheduler('agenda', legacySchedulerId(d.id, phase));
      const delayMs = at.getTime() - this.now().getTime();
      if (delayMs > 0) {
        await this.queues.enqueue('agenda.collect', payload, { jobId: collectJobId(payload), delayMs });
        return { at: at.toISOString(), plan: 'scheduled' };
      }
      if (await this.store.wasCollected(d.id, meetingDate, phase)) return { at: at.toISOString(), plan: 'done' };
      await this.queues.enqueue('agenda.collect', payload, { jobId: collectJobId(payload) });
      return { at: at.toISOString(), plan: 'caught-up' };
    };
    return {
      districtId: d.id,
      meetingDate,
      ...(skipped.length ? { skipped } : {}),
      cutoff: await plan('cutoff', cutoffInstant(d, meetingDate)),
      morning: await plan('morning', morningInstant(d, meetingDate)),
    };
  }
}
