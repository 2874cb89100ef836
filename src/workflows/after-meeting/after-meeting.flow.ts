import { JobHandler } from '../../../queues/job-handler.decorator';
import type { NexusNote, NexusPort } from '../../../adapters/nexus/nexus.port';
import type { NoteFlowPayload } from '../../../queues/jobs/after-meeting.jobs';
import type { FlowNode } from '../../../queues/queue.gateway';
import { AuditService } from '../../audit/audit.service';
import { PermanentError, RetryableError } from '../../common/errors';
import { FollowUps, flowJobId, meetingId, NoteVersionRef, noteVersionKey } from '../../domain/after-meeting.rules';
import type { AfterMeetingStore } from './after-meeting.store';

/*
 * The after-meeting flow of one locked note version: a parent that completes when its independent
 * children (eDoc filing, GP letter, Nexus tasks) have all succeeded. Every job carries ids only;
 * the payload (NoteFlowPayload) is a job contract in queues/jobs/after-meeting.jobs.ts.
 */

export type NoteStep = 'edoc' | 'medcom' | 'tasks';

const STEP_JOB = { edoc: 'edoc.journal-note', medcom: 'medcom.send-note', tasks: 'nexus.note-tasks' } as const;
export const STEP_QUEUE = { edoc: 'edoc', medcom: 'medcom', tasks: 'nexus' } as const;

export function stepJobId(ref: NoteVersionRef, step: NoteStep): string {
  return `${flowJobId(ref)}-${step}`;
}

/** The steps a note version needs: the filing always, the letter and the tasks only when the note asks. */
export function stepsFor(followUps: FollowUps, taskCount: number): NoteStep[] {
  return ['edoc', ...(followUps.sendToGp ? (['medcom'] as const) : []), ...(taskCount > 0 ? (['tasks'] as const) : [])];
}

export function noteFlow(payload: NoteFlowPayload, steps: NoteStep[]): FlowNode<'after-meeting.note'> {
  return {
    name: 'after-meeting.note',
    payload,
    jobId: flowJobId(payload),
    children: steps.map((s) => ({ name: STEP_JOB[s], payload, jobId: stepJobId(payload, s) })),
  };
}

export type LoadedNote = { note: NexusNote } | { supersededBy: number };

/**
 * Reads the note and checks it is still the version the flow was made for. Nexus only serves the
 * current version: when the note has moved on, that newer version gets its own flow (if it is
 * locked again) and this one must not act on content it was not made for.
 */
export async function loadNoteVersion(nexus: NexusPort, ref: NoteVersionRef): Promise<LoadedNote> {
  const note = await nexus.getNote(ref.noteId);
  if (note.version > ref.noteVersion) return { supersededBy: note.version };
  if (note.version < ref.noteVersion) {
    throw new RetryableError(`note ${ref.noteId} is at version ${note.version}, expected ${ref.noteVersion}`, 'NOTE_VERSION_BEHIND', 'nexus');
  }
  if (!note.locked) throw new PermanentError(`note ${ref.noteId} v${ref.noteVersion} is not locked`, 'NOTE_NOT_LOCKED', 'nexus');
  return { note };
}

/** Bookkeeping when a step finds its note version superseded: nothing is sent, the skip is audited once. */
export async function recordSuperseded(
  store: AfterMeetingStore,
  audit: AuditService,
  p: NoteFlowPayload,
  action: string,
  supersededBy: number,
): Promise<{ skipped: 'superseded'; supersededBy: number }> {
  await store.setResult(p, { supersededBy });
  await audit.recordOnce(`${action}:superseded:${noteVersionKey(p)}`, {
    action, system: 'tsm-bridge', outcome: 'skipped', noteId: p.noteId, meetingId: meetingId(p.districtId, p.meetingDate),
    externalIds: { noteVersion: String(p.noteVersion), supersededBy: String(supersededBy) },
    reason: 'note version superseded before this step ran',
  });
  return { skipped: 'superseded', supersededBy };
}

/** The parent job: every child succeeded, so the note version is done (letters may still await a receipt). */
export class CompleteNoteStep {
  constructor(private readonly store: AfterMeetingStore, private readonly audit: AuditService, private readonly now: () => Date = () => new Date()) {}

  @JobHandler('after-meeting.note')
  async run(p: NoteFlowPayload): Promise<{ done: true }> {
    const rec = await this.store.record(p);
    if (!rec?.doneAt) await this.store.setResult(p, { doneAt: this.now().toISOString() });
    const after = await this.store.record(p);
    const externalIds: Record<string, string> = { noteVersion: String(p.noteVersion) };
    if (after?.documentId) externalIds.document = after.documentId;
    if (after?.letterId) externalIds.letter = after.letterId;
    if (after?.taskIds.length) externalIds.tasks = after.taskIds.join(',');
    await this.audit.recordOnce(`after-meeting.done:${noteVersionKey(p)}`, {
      action: 'after-meeting.done', system: 'tsm-bridge', outcome: 'ok', noteId: p.noteId,
      meetingId: meetingId(p.districtId, p.meetingDate), externalIds,
    });
    return { done: true };
  }
}
