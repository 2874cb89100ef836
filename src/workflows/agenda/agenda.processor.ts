import { Injectable, Optional } from '@nestjs/common';
import { AgendaWatchList } from '../after-meeting/after-meeting.watch-list';
import { PermanentError } from '../../common/errors';
import { AgendaPlanner, MeetingPlan, publishJobId } from './agenda.planner';
import { AgendaStore } from './agenda.store';
import { CollectAgenda } from './agenda.collect';
import { PublishAgenda, PublishSummary } from './agenda.publish';
import type { JobContext } from '../../../queues/job-context';
import { JobHandler } from '../../../queues/job-handler.decorator';
import type { JobPayload } from '../../../queues/job-types';
import { QueueGateway } from '../../../queues/queue.gateway';

/** Agenda jobs: collect (then enqueue publish), publish the stored snapshot, and plan the schedulers. */
@Injectable()
export class AgendaProcessor {
  constructor(
    private readonly collector: CollectAgenda,
    private readonly publisher: PublishAgenda,
    private readonly store: AgendaStore,
    private readonly planner: AgendaPlanner,
    private readonly queues: QueueGateway,
    @Optional() private readonly watchList?: AgendaWatchList,
  ) {}

  @JobHandler('agenda.collect')
  async collect(
    p: JobPayload<'agenda.collect'>,
    ctx: JobContext,
  ): Promise<{ items: number; excluded: number; fingerprint: string } | { skipped: string }> {
    const district = this.collector.district(p.districtId);
    if (this.planner.isOver(district, p)) {
      ctx.log.info(
        { district: p.districtId, meetingDate: p.meetingDate, phase: p.phase },
        'scheduled collect after the meeting began: skipped',
      );
      return { skipped: 'meeting already began' };
    }
    const { agenda, stored, notes } = await this.collector.collect(p.districtId, p.meetingDate, { store: true });
    // The after-meeting watch reads exactly these notes once the meeting has begun, by their self links.
    await this.watchList?.register(district, agenda, notes ?? []);
    await this.store.markCollected(p.districtId, p.meetingDate, p.phase);
    const fingerprint = stored!.fingerprint;
    await this.queues.enqueue('agenda.publish', p, { jobId: publishJobId(p, fingerprint) });
    return { items: agenda.items.length, excluded: agenda.excluded.length, fingerprint };
  }

  @JobHandler('agenda.publish')
  async publish(p: JobPayload<'agenda.publish'>): Promise<PublishSummary> {
    const stored = await this.store.load(p.districtId, p.meetingDate);
    if (!stored) throw new PermanentError(`no collected agenda for ${p.districtId}/${p.meetingDate}`, 'AGENDA_NOT_COLLECTED');
    return this.publisher.publish(this.collector.district(p.districtId), stored.agenda);
  }

  @JobHandler('agenda.plan')
  async plan(): Promise<{ planned: MeetingPlan[] }> {
    return { planned: await this.planner.planAll() };
  }
}
