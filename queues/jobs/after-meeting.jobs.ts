import { job } from './job-def';

/**
 * The payload of every job in one locked note version's after-meeting flow: ids only, the
 * workflow loads the note itself.
 */
export interface NoteFlowPayload {
  noteId: number;
  noteVersion: number;
  districtId: string;
  meetingDate: string;
  /** The earlier version this one corrects (its flow ran before); the filed document says so. */
  correctionOf?: number;
}

/**
 * The after-meeting workflow: the locked-note watch and the flow per note version. The steps run
 * on their system's queue, so a slow system only holds back its own work.
 */
export const afterMeetingJobs = {
  /** Scheduled (WATCH_INTERVAL_MS): reads the watched notes of meetings under way; starts the flows of locked ones. */
  'notes.watch': job<Record<string, never>>('after-meeting'),
  /** Delayed to WATCH_SWEEP_AT each night: the full walk for locked notes never on an agenda, and corrections. */
  'notes.sweep': job<Record<string, never>>('after-meeting'),
  /** Flow parent: runs when every step of the note version has succeeded. */
  'after-meeting.note': job<NoteFlowPayload>('after-meeting'),
  'edoc.journal-note': job<NoteFlowPayload>('edoc'),
  'medcom.send-note': job<NoteFlowPayload>('medcom'),
  'nexus.note-tasks': job<NoteFlowPayload>('nexus'),
} as const;
