import type { AgendaMeetingPayload } from '../../queues/jobs/agenda.jobs';
import type { QueueGateway } from '../../queues/queue.gateway';
import type { District } from '../config/districts';
import { addCalendarDays, COPENHAGEN, localParts } from '../domain/local-time';
import { copenhagenDate, cutoffInstant, meetingStartInstant, morningInstant, nextHeldMeetingOnOrAfter, nextMeetingOnOrAfter } from '../domain/meeting-calendar';
import { rootLogger } from '../logging/logger';
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

/** Scheduler ids carry no ':' (BullMQ builds job ids from them). One per district and phase, moved from meeting to meeting. */
export const schedulerId = (districtId: string, phase: 'cutoff' | 'morning') => `agenda.${phase}.${districtId}`;
export const PLAN_SCHEDULER_ID = 'agenda.plan';

export const collectJobId = (p: AgendaMeetingPayload) => `agenda-collect-${p.districtId}-${p.meetingDate}-${p.phase}`;
export const publishJobId = (p: AgendaMeetingPayload, fingerprint: string) => `agenda-publish-${p.districtId}-${p.meetingDate}-${fingerprint}`;

/**
 * A cron pattern that fires once a year at this local minute; with limit 1 (and an end date just
 * after) it is a one-shot job scheduler. Cron in Europe/Copenhagen keeps 16:00 at 16:00 across DST,
 * which a fixed 14-day interval in milliseconds would not.
 */
export function oneShotPattern(at: Date): string {
  const p = localParts(at, COPENHAGEN);
  return `${p.minute} ${p.hour} ${p.day} ${p.month} *`;
}

/**
 * Plans each district's next meeting: a job scheduler for the collect at the cut-off and one for the
 * morning of the meeting (each collect enqueues its publish). Upserting the same scheduler ids is
 * idempotent, so planning at every worker start and daily is safe. A collect whose time has passed
 * without running (the worker was down) is enqueued at once, under a deterministic job id.
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
    const now = this.now();
    const today = copenhagenDate(now);
    const first = nextMeetingOnOrAfter(d, today);
    return nextHeldMeetingOnOrAfter(d, meetingStartInstant(d, first) <= now ? addCalendarDays(first, 1) : today, this.cancelled);
  }

  /** A scheduled collect that fires after its meeting began (a stale scheduler) has nothing to do. */
  isOver(d: District, p: AgendaMeetingPayload): boolean {
    return p.phase !== 'manual' && meetingStartInstant(d, p.meetingDate) <= this.now();
  }

  async planDistrict(d: District): Promise<MeetingPlan> {
    const { date: meetingDate, skipped } = this.nextHeldMeeting(d);
    const plan = async (phase: 'cutoff' | 'morning', at: Date): Promise<{ at: string; plan: PhasePlan }> => {
      const payload: AgendaMeetingPayload = { districtId: d.id, meetingDate, phase };
      if (at > this.now()) {
        await this.queues.upsertScheduler(
          schedulerId(d.id, phase),
          { pattern: oneShotPattern(at), tz: COPENHAGEN, limit: 1, endDate: new Date(at.getTime() + 3_600_000) },
          'agenda.collect',
          payload,
        );
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
