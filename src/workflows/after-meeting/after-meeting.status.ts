import type { LetterState, MedcomPort } from '../../../adapters/medcom/medcom.port';
import { addDays, flowJobId, NoteVersionRef } from '../../domain/after-meeting.rules';
import type { MeetingNotesRow } from '../../metrics/metrics';
import { NoteStep, STEP_QUEUE, stepJobId } from './after-meeting.flow';
import type { AfterMeetingStore, NoteVersionRecord } from './after-meeting.store';

export type NoteState = 'done' | 'pending' | 'failed';

export interface NoteStatus {
  noteId: number;
  noteVersion: number;
  state: NoteState;
  /** Why a note is not done yet, or why it failed: a code, no text from the note. */
  reason?: 'in-progress' | 'awaiting-receipt' | 'unlocked-again' | 'step-failed' | 'letter-rejected' | 'letter-gave-up';
  correctionOf?: number;
  documentId?: string;
  letterId?: string;
  letterState?: LetterState;
  taskIds: string[];
  failedSteps: Array<NoteStep | 'flow'>;
}

export interface MeetingStatus {
  districtId: string;
  meetingDate: string;
  notes: { total: number; done: number; pending: number; failed: number };
  documents: number;
  letters: { sent: number; acknowledged: number; failed: number };
  tasks: number;
  corrections: number;
  items: NoteStatus[];
}

/** The queue machinery's view of one job, as the status needs it. */
export type JobStateLookup = (queue: 'after-meeting' | 'edoc' | 'medcom' | 'nexus', jobId: string) => Promise<string>;

/**
 * Per meeting: which notes are done, pending or failed. A note counts as done only when its flow
 * completed and its GP letter (if any) is acknowledged: the flow itself completes at hand-over to
 * VANS, and MedCom's receipt handling settles the letter later.
 */
export class MeetingStatusService {
  constructor(
    private readonly store: AfterMeetingStore,
    private readonly medcom: Pick<MedcomPort, 'status'>,
    private readonly jobState: JobStateLookup,
  ) {}

  async meeting(districtId: string, meetingDate: string): Promise<MeetingStatus> {
    const refs = await this.store.meetingNotes(districtId, meetingDate);
    const items: NoteStatus[] = [];
    for (const ref of refs) items.push(await this.note(ref));
    const count = (s: NoteState) => items.filter((i) => i.state === s).length;
    return {
      districtId,
      meetingDate,
      notes: { total: items.length, done: count('done'), pending: count('pending'), failed: count('failed') },
      documents: items.filter((i) => i.documentId).length,
      letters: {
        sent: items.filter((i) => i.letterId).length,
        acknowledged: items.filter((i) => i.letterState === 'acknowledged').length,
        failed: items.filter((i) => i.letterState === 'rejected' || i.letterState === 'gave-up').length,
      },
      tasks: items.reduce((n, i) => n + i.taskIds.length, 0),
      corrections: items.filter((i) => i.correctionOf !== undefined).length,
      items,
    };
  }

  /** Rows for the tsm_meeting_notes gauge: meetings from `daysBack` days ago to `daysAhead` days ahead. */
  async gaugeRows(today: string, daysBack = 30, daysAhead = 30): Promise<MeetingNotesRow[]> {
    const rows: MeetingNotesRow[] = [];
    for (const m of await this.store.meetingsBetween(addDays(today, -daysBack), addDays(today, daysAhead))) {
      const s = await this.meeting(m.districtId, m.meetingDate);
      for (const state of ['done', 'pending', 'failed'] as const) {
        rows.push({ district: m.districtId, meetingDate: m.meetingDate, state, count: s.notes[state] });
      }
    }
    return rows;
  }

  private async note(ref: NoteVersionRef): Promise<NoteStatus> {
    const rec = (await this.store.record(ref)) as NoteVersionRecord;
    const failedSteps: NoteStatus['failedSteps'] = [];
    for (const step of ['edoc', 'medcom', 'tasks'] as const) {
      if ((await this.jobState(STEP_QUEUE[step], stepJobId(ref, step))) === 'failed') failedSteps.push(step);
    }
    if ((await this.jobState('after-meeting', flowJobId(ref))) === 'failed') failedSteps.push('flow');
    const letter = rec.letterId ? await this.medcom.status(rec.letterId) : null;
    const base: NoteStatus = {
      noteId: ref.noteId,
      noteVersion: ref.noteVersion,
      state: 'pending',
      ...(rec.correctionOf !== undefined ? { correctionOf: rec.correctionOf } : {}),
      ...(rec.documentId ? { documentId: rec.documentId } : {}),
      ...(rec.letterId ? { letterId: rec.letterId } : {}),
      ...(letter ? { letterState: letter.state } : {}),
      taskIds: rec.taskIds,
      failedSteps,
    };
    if (failedSteps.length) return { ...base, state: 'failed', reason: 'step-failed' };
    if (letter?.state === 'rejected') return { ...base, state: 'failed', reason: 'letter-rejected' };
    if (letter?.state === 'gave-up') return { ...base, state: 'failed', reason: 'letter-gave-up' };
    if (rec.supersededBy !== undefined) return { ...base, reason: 'unlocked-again' };
    if (!rec.doneAt) return { ...base, reason: 'in-progress' };
    if (rec.letterId && letter?.state !== 'acknowledged') return { ...base, reason: 'awaiting-receipt' };
    return { ...base, state: 'done' };
  }
}
