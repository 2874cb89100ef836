import { job } from './job-def';

/** Which collect of a meeting a job is: the scheduled cut-off and morning runs, or one asked for by hand. */
export type AgendaPhase = 'cutoff' | 'morning' | 'manual';

export interface AgendaMeetingPayload {
  districtId: string;
  /** YYYY-MM-DD, Europe/Copenhagen. */
  meetingDate: string;
  phase: AgendaPhase;
}

export const agendaJobs = {
  /** Reads the meeting's notes from Nexus, builds and stores the agenda, then enqueues its publication. */
  'agenda.collect': job<AgendaMeetingPayload>('agenda'),
  /** Publishes the stored agenda: note times, invitation and coordinator tasks, Teams and GP invitations. */
  'agenda.publish': job<AgendaMeetingPayload>('agenda'),
  /** Plans every district's next cut-off and morning collects (daily, and at worker start). */
  'agenda.plan': job<Record<string, never>>('agenda'),
} as const;
