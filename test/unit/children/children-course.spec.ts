import { acceptanceReminderDue, CourseMilestones, deriveStatus, followUpReminderDue } from '../../../src/domain/children-course';

const t = '2026-03-20T10:00:00Z';

describe('course status', () => {
  it.each<[CourseMilestones, string]>([
    [{}, 'received'],
    [{ routedAt: t }, 'routed'],
    [{ journaledAt: t }, 'received'],
    [{ routedAt: t, journaledAt: t }, 'journaled'],
    [{ routedAt: t, journaledAt: t, acceptanceReminderSentAt: t }, 'reminder-sent'],
    [{ acceptanceReminderSentAt: t, acceptedAt: t }, 'accepted'],
    [{ acceptedAt: t, firstMeetingHeldAt: t }, 'meeting-held'],
    [{ acceptedAt: t, firstMeetingHeldAt: t, followUpReminderSentAt: t }, 'follow-up-missing-reminded'],
    [{ acceptedAt: t, firstMeetingHeldAt: t, followUpReminderSentAt: t, followUpMeetingStart: t }, 'follow-up-scheduled'],
  ])('%j → %s', (m, status) => {
    expect(deriveStatus(m)).toBe(status);
  });

  it('the acceptance reminder is due only if neither accepted nor reminded', () => {
    expect(acceptanceReminderDue({})).toBe(true);
    expect(acceptanceReminderDue({ acceptedAt: t })).toBe(false);
    expect(acceptanceReminderDue({ acceptanceReminderSentAt: t })).toBe(false);
  });

  it('the follow-up reminder is due only without a follow-up meeting and before one was sent', () => {
    expect(followUpReminderDue({ firstMeetingHeldAt: t })).toBe(true);
    expect(followUpReminderDue({ followUpMeetingStart: t })).toBe(false);
    expect(followUpReminderDue({ followUpReminderSentAt: t })).toBe(false);
  });
});
