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
  /**
   * Where the watch read the note: its citizen's Nexus id and the note's self link (ids only). It
   * travels with the job because a step may start in another process before the watch's own
   * bookkeeping is written, and a process that has never seen the note cannot find it by id alone.
   */
  citizenId?: number;
  noteHref?: string;
}

/** One reminder to the coordinator about a meeting's agenda notes still not locked. */
export interface UnlockedNotesPayload {
  districtId: string;
  meetingDate: string;
  /** 1-based; the next is enqueued by this one while notes stay unlocked, up to AFTER_MEETING_UNLOCKED_TASK_MAX. */
  round: number;
}

/**
 * A GP letter that cannot be delivered, reported by whoever records the outcome (the send-note step,
 * the MedCom letters' receipt handling). Ids and codes only; the handler finds the rest.
 */
export interface LetterUndeliverablePayload {
  noteId: number;
  noteVersion: number;
  kind: 'meeting-note' | 'meeting-invitation';
  /** GP_UNKNOWN, GP_NO_FORMAT, MEDCOM_REJECTED, MEDCOM_NO_RECEIPT or NAME_NOT_REPRESENTABLE. */
  reason: string;
  letterId?: string;
  refuseCode?: string;
  /** Known to the after-meeting flow; otherwise looked up from the flow's record or the audit trail. */
  districtId?: string;
  meetingDate?: string;
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
  /** Delayed to working days after the meeting: the coordinator's task listing agenda notes not locked. */
  'after-meeting.unlocked-notes': job<UnlockedNotesPayload>('nexus'),
  /** The coordinator's task on the citizen for a GP letter that cannot be delivered; once per letter. */
  'after-meeting.letter-undeliverable': job<LetterUndeliverablePayload>('nexus'),
} as const;
