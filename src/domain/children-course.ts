/**
 * The course ("forløb") of one children's collaboration meeting request, as the milestones it has
 * passed. The status shown to callers is derived from them, so concurrent steps (routing, the
 * deadline job, an acceptance) each set their own milestone and never overwrite each other.
 */
export const CHILDREN_STATUSES = [
  'received',
  'routed',
  'journaled',
  'reminder-sent',
  'accepted',
  'meeting-held',
  'follow-up-scheduled',
  'follow-up-missing-reminded',
  'closed',
] as const;
export type ChildrenStatus = (typeof CHILDREN_STATUSES)[number];

export interface CourseMilestones {
  routedAt?: string;
  journaledAt?: string;
  acceptanceReminderSentAt?: string;
  acceptedAt?: string;
  firstMeetingHeldAt?: string;
  followUpMeetingStart?: string;
  followUpReminderSentAt?: string;
  /** The course was closed (POST /children/requests/:id/close): a new request is a new course. */
  closedAt?: string;
}

export function deriveStatus(m: CourseMilestones): ChildrenStatus {
  if (m.closedAt) return 'closed';
  if (m.followUpMeetingStart) return 'follow-up-scheduled';
  if (m.followUpReminderSentAt) return 'follow-up-missing-reminded';
  if (m.firstMeetingHeldAt) return 'meeting-held';
  if (m.acceptedAt) return 'accepted';
  if (m.acceptanceReminderSentAt) return 'reminder-sent';
  if (m.routedAt && m.journaledAt) return 'journaled';
  if (m.routedAt) return 'routed';
  return 'received';
}

/** Whether the acceptance reminder is still due when the deadline job runs. */
export function acceptanceReminderDue(m: CourseMilestones): boolean {
  return !m.acceptedAt && !m.acceptanceReminderSentAt;
}

/** "Der afvikles altid mindst et opfølgende møde": remind unless one is set or we already did. */
export function followUpReminderDue(m: CourseMilestones): boolean {
  return !m.followUpMeetingStart && !m.followUpReminderSentAt;
}
