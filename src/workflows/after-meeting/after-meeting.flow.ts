import { JobHandler } from '../../../queues/job-handler.decorator';
import type { NexusCitizenIdentity, NexusNote, NexusPort, NoteLocation } from '../../../adapters/nexus/nexus.port';
import type { NoteFlowPayload } from '../../../queues/jobs/after-meeting.jobs';
import type { FlowNode } from '../../../queues/queue.gateway';
import { AuditService } from '../../audit/audit.service';
import { RecentReads } from '../../common/recent-reads';
import { PermanentError, RetryableError } from '../../common/errors';
import { FollowUps, flowJobId, meetingId, NoteVersionRef, noteVersionKey } from '../../domain/after-meeting.rules';
import { noteLocationOf, type AfterMeetingStore } from './after-meeting.store';

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
 * How long a read of a note version serves the other steps of its flow in this process. The steps
 * of one flow are enqueued together and run soon after the watch's read (on a meeting day's batch,
 * behind the queue's backlog); each re-reading the note (three GETs more per note) would learn only
 * whether the note was reopened in the meantime. What this window allows: a step acting on a version
 * that was locked when read and reopened less than this long ago, exactly what would have happened
 * had the step run that much earlier; the newer version, locked again, is processed as a correction.
 * A read older than this is not reused: the version check then reads again.
 */
export const SHARED_READ_MS = 30_000;
const SHARED_READS_MAX = 5_000;

/** A Nexus port, seen only as the connection its reads belong to. */
type NexusConnection = Pick<NexusPort, 'origin'>;

/**
 * Recent reads from Nexus, per Nexus connection (one Nexus: its ids are its own; the purpose views
 * of one client are one connection), in this process only: content stays in memory, never in Redis
 * or a job. A read older than SHARED_READ_MS is not reused; a failed read is not kept.
 */
class SharedReads<K, T> {
  private byConnection = new WeakMap<object, RecentReads<T>>();

  constructor(private readonly keyOf: (key: K) => string) {}

  private readsOf(nexus: NexusConnection): RecentReads<T> {
    const connection = nexus.origin ?? nexus;
    let reads = this.byConnection.get(connection);
    if (!reads) {
      reads = new RecentReads<T>({ windowMs: SHARED_READ_MS, max: SHARED_READS_MAX, now: () => performance.now() });
      this.byConnection.set(connection, reads);
    }
    return reads;
  }

  get(nexus: NexusConnection, key: K, read: () => Promise<T>): Promise<T> {
    return this.readsOf(nexus).get(this.keyOf(key), read);
  }

  /** A read made elsewhere (the watch's) that the next readers need. */
  remember(nexus: NexusConnection, key: K, value: T): void {
    this.readsOf(nexus).keep(this.keyOf(key), Promise.resolve(value));
  }

  /** Forgets every read (tests: a simulator reset reuses ids with other content). */
  clear(): void {
    this.byConnection = new WeakMap();
  }
}

/** Note versions read by the watch or a step, for the version check of the flow's other steps. */
export const sharedNoteReads = new SharedReads<NoteVersionRef, NexusNote>(noteVersionKey);

/**
 * A citizen's identity (name, CPR: what the filing's PDF and the GP letter carry), read by the first
 * of a note's steps that needs it and reused by the other in the same window: one read per note, not
 * one per step. Same process, same memory-only rule as the note reads.
 */
export const sharedCitizenReads = new SharedReads<number, NexusCitizenIdentity>(String);

/** Forgets every shared read (tests). */
export function clearSharedReads(): void {
  sharedNoteReads.clear();
  sharedCitizenReads.clear();
}

/** The citizen's identity, shared by the steps of a note as above. */
export function citizenIdentity(nexus: Pick<NexusPort, 'getCitizenIdentity' | 'origin'>, citizenId: number): Promise<NexusCitizenIdentity> {
  return sharedCitizenReads.get(nexus, citizenId, () => nexus.getCitizenIdentity(citizenId));
}

/**
 * Reads the note and checks it is still the version the flow was made for. Nexus only serves the
 * current version: when the note has moved on, that newer version gets its own flow (if it is
 * locked again) and this one must not act on content it was not made for. A read of the same
 * version made moments ago in this process (by the watch or a sibling step) serves instead of a GET.
 */
export async function loadNoteVersion(
  nexus: Pick<NexusPort, 'getNote' | 'origin'>,
  ref: NoteFlowPayload,
  storedLocation: () => Promise<NoteLocation | undefined> = async () => undefined,
): Promise<LoadedNote> {
  // Where to read it: the location the watch put in the job, else (a job enqueued before jobs carried
  // it) the one its bookkeeping stored.
  const read = async () => nexus.getNote(ref.noteId, noteLocationOf(ref) ?? (await storedLocation()));
  const note = { ...(await sharedNoteReads.get(nexus, ref, read)) };
  if (note.version > ref.noteVersion) return { supersededBy: note.version };
  if (note.version < ref.noteVersion) {
    throw new RetryableError(
      `note ${ref.noteId} is at version ${note.version}, expected ${ref.noteVersion}`,
      'NOTE_VERSION_BEHIND',
      'nexus',
    );
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
    action,
    system: 'tsm-bridge',
    outcome: 'skipped',
    noteId: p.noteId,
    meetingId: meetingId(p.districtId, p.meetingDate),
    externalIds: { noteVersion: String(p.noteVersion), supersededBy: String(supersededBy) },
    reason: 'note version superseded before this step ran',
  });
  return { skipped: 'superseded', supersededBy };
}

/** The parent job: every child succeeded, so the note version is done (letters may still await a receipt). */
export class CompleteNoteStep {
  constructor(
    private readonly store: AfterMeetingStore,
    private readonly audit: AuditService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  @JobHandler('after-meeting.note')
  async run(p: NoteFlowPayload): Promise<{ done: true }> {
    // One command: doneAt set unless a run before this one set it, and the record with the steps' ids.
    const after = await this.store.markDone(p, this.now().toISOString());
    const externalIds: Record<string, string> = { noteVersion: String(p.noteVersion) };
    if (after?.documentId) externalIds.document = after.documentId;
    if (after?.letterId) externalIds.letter = after.letterId;
    if (after?.taskIds.length) externalIds.tasks = after.taskIds.join(',');
    await this.audit.recordOnce(`after-meeting.done:${noteVersionKey(p)}`, {
      action: 'after-meeting.done',
      system: 'tsm-bridge',
      outcome: 'ok',
      noteId: p.noteId,
      meetingId: meetingId(p.districtId, p.meetingDate),
      externalIds,
    });
    return { done: true };
  }
}
