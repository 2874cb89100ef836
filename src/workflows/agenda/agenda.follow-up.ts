import type { QueueGateway } from '../../../queues/queue.gateway';
import type { District } from '../../config/districts';
import { unlockedNotesJobId, UnlockedTaskSettings, unlockedTaskInstant } from '../../domain/after-meeting.coordinator';
import type { WorkingDayCalendar } from '../../domain/working-days';

/** Called by a publication with items: plans what follows the meeting. */
export type ScheduleFollowUp = (district: District, meetingDate: string) => Promise<void>;

/**
 * The first reminder about agenda notes still not locked (issue 17), planned when the agenda is
 * published: a delayed 'after-meeting.unlocked-notes' job (the after-meeting workflow owns it and
 * plans the next ones). The job id is deterministic per meeting and round, so the cut-off and the
 * morning publication, a retry or a restart add it once; the delay comes from the service's clock.
 */
export function unlockedNotesFollowUp(
  queues: Pick<QueueGateway, 'enqueue'>,
  calendar: WorkingDayCalendar,
  settings: UnlockedTaskSettings,
  now: () => Date,
): ScheduleFollowUp {
  return async (district, meetingDate) => {
    if (settings.maxTasks < 1) return;
    const at = unlockedTaskInstant(district.startTime, meetingDate, 1, settings, calendar);
    await queues.enqueue(
      'after-meeting.unlocked-notes',
      { districtId: district.id, meetingDate, round: 1 },
      {
        jobId: unlockedNotesJobId(district.id, meetingDate, 1),
        delayMs: Math.max(0, at.getTime() - now().getTime()),
      },
    );
  };
}
