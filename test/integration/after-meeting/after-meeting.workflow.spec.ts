import Redis from 'ioredis';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { FlowNode } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import { KeyLock } from '../../../src/ledger/key-lock';
import { Ledger } from '../../../src/ledger/ledger';
import type { NoteFlowPayload } from '../../../queues/jobs/after-meeting.jobs';
import { CompleteNoteStep } from '../../../src/workflows/after-meeting/after-meeting.flow';
import { JournalNoteStep } from '../../../src/workflows/after-meeting/after-meeting.journal-note';
import { NoteTasksStep } from '../../../src/workflows/after-meeting/after-meeting.note-tasks';
import { SendNoteStep } from '../../../src/workflows/after-meeting/after-meeting.send-note';
import { MeetingStatusService } from '../../../src/workflows/after-meeting/after-meeting.status';
import { clearSharedReads } from '../../../src/workflows/after-meeting/after-meeting.flow';
import { AfterMeetingStore } from '../../../src/workflows/after-meeting/after-meeting.store';
import { NotesWatch } from '../../../src/workflows/after-meeting/after-meeting.watch';
import { FakeDirectory, FakeJournal, FakeMedcom, FakeNexus } from './fakes';
import { district, labels, orgs } from './solhoej-district';

let prefixN = 0;

/**
 * The orchestration with in-memory ports and a real Redis (store, ledger, audit): the flow runner
 * here runs each enqueued flow's children and then its parent, like BullMQ does, but in-process.
 */
function setup() {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const prefix = `am${process.pid}x${prefixN++}x${Date.now().toString(36)}`;
  const auditDir = mkdtempSync(path.join(os.tmpdir(), 'tsm-am-audit-'));
  const store = new AfterMeetingStore(redis, prefix);
  const ledger = new Ledger(redis, prefix);
  const audit = new AuditService(redis, auditDir, prefix);
  const nexus = new FakeNexus();
  const medcom = new FakeMedcom();
  const journal = new FakeJournal();
  const flows: FlowNode[] = [];
  const gateway = {
    addFlow: async (n: FlowNode) => {
      flows.push(n);
      return n.jobId;
    },
  };
  const now = () => new Date('2026-12-03T11:00:00Z');
  const watch = new NotesWatch(
    nexus as never,
    gateway,
    store,
    audit,
    [district],
    { labels, organisations: () => orgs, taskDueDays: 7, lookbackMs: 24 * 3600_000, watchLeaseMs: 5000, followUpMs: 7 * 86_400_000 },
    pino({ level: 'silent' }),
    now,
  );
  const edocStep = new JournalNoteStep(
    nexus as never,
    journal,
    async (note) => Buffer.from(`pdf ${note.id} v${note.version}`),
    store,
    audit,
    'Notat',
  );
  const letterStep = new SendNoteStep(
    nexus as never,
    new FakeDirectory(),
    medcom,
    () => ({ subject: 's', text: 't' }),
    store,
    audit,
    labels,
  );
  const tasksStep = new NoteTasksStep(nexus as never, ledger, new KeyLock(redis, prefix), store, audit, {
    labels,
    organisations: () => orgs,
    taskDueDays: 7,
    taskType: 'Opgave',
    taskLockTtlMs: 5000,
  });
  const complete = new CompleteNoteStep(store, audit, now);
  const handlers: Record<string, (p: NoteFlowPayload) => Promise<unknown>> = {
    'edoc.journal-note': (p) => edocStep.run(p),
    'medcom.send-note': (p) => letterStep.run(p),
    'nexus.note-tasks': (p) => tasksStep.run(p),
    'after-meeting.note': (p) => complete.run(p),
  };
  const jobStates = new Map<string, string>();
  /** Runs every flow the watch enqueued (children, then parent), once per job id, as BullMQ would. */
  const runFlows = async () => {
    for (const f of flows) {
      if (jobStates.get(f.jobId) === 'completed') continue;
      for (const c of f.children ?? []) {
        await handlers[c.name](c.payload as NoteFlowPayload);
        jobStates.set(c.jobId, 'completed');
      }
      await handlers[f.name](f.payload as NoteFlowPayload);
      jobStates.set(f.jobId, 'completed');
    }
  };
  const status = new MeetingStatusService(store, medcom, async (_q, id) => jobStates.get(id) ?? 'unknown');
  const auditLines = () =>
    readdirSync(auditDir)
      .flatMap((f) => readFileSync(path.join(auditDir, f), 'utf8').trim().split('\n'))
      .map((l) => JSON.parse(l));
  return {
    redis,
    prefix,
    store,
    ledger,
    audit,
    nexus,
    medcom,
    journal,
    flows,
    watch,
    tasksStep,
    letterStep,
    edocStep,
    runFlows,
    status,
    jobStates,
    auditLines,
  };
}

function seedMeeting(nexus: FakeNexus) {
  for (const c of [1001, 1002, 1003]) nexus.addCitizen(c, `01014${c}`.slice(0, 10));
  nexus.addNote(5001, 1001, { 'Send til egen læge': 'Ja', 'Opgave til hjemmeplejen': 'Øg hjælp til bad', Revisitation: 'Ja' });
  nexus.addNote(5002, 1002, { 'Send til egen læge': 'Nej', 'Tilknyt organisation': 'Demensspecialister' });
  nexus.addNote(5003, 1003, { 'Send til egen læge': 'Nej' });
  nexus.addNote(5004, 1003, { 'Send til egen læge': 'Ja' }, { locked: false }); // still a draft: not for the watch
}

describe('after-meeting orchestration (fake ports, real Redis)', () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => {
    clearSharedReads(); // reads are shared per process for moments; each test has its own fake Nexus
    ctx = setup();
    seedMeeting(ctx.nexus);
  });
  afterEach(async () => {
    await ctx.redis.quit();
  });

  it('starts one flow per locked note version, with only the steps the note asks for', async () => {
    const s = await ctx.watch.sweep();
    expect(s).toMatchObject({ found: 3, started: 3, corrections: 0, alreadyProcessed: 0 });
    expect(ctx.flows.map((f) => [f.jobId, (f.children ?? []).map((c) => c.jobId)])).toEqual([
      ['note-5001-v3', ['note-5001-v3-edoc', 'note-5001-v3-medcom', 'note-5001-v3-tasks']],
      ['note-5002-v3', ['note-5002-v3-edoc', 'note-5002-v3-tasks']],
      ['note-5003-v3', ['note-5003-v3-edoc']],
    ]);
    expect(ctx.flows[0].payload).toEqual({
      noteId: 5001,
      noteVersion: 3,
      districtId: 'solhoej',
      meetingDate: '2026-12-03',
      citizenId: 1001,
      noteHref: '/formData/5001',
    });
    expect(ctx.nexus.lockedQueries[0]).toMatchObject({ citizenList: 'Liste Solhøj', since: '2026-12-02T11:00:00.000Z' });
  });

  it('does every side effect once and reports the meeting done when letters are acknowledged', async () => {
    await ctx.watch.sweep();
    await ctx.runFlows();
    expect(ctx.journal.documents.size).toBe(3);
    expect(ctx.medcom.handovers).toBe(1);
    expect(ctx.nexus.tasks.map((t) => [t.on, t.organisationName])).toEqual([
      [{ noteId: 5001, at: { selfHref: '/formData/5001', citizenId: 1001 } }, 'Hjemmeplejen'],
      [{ noteId: 5001, at: { selfHref: '/formData/5001', citizenId: 1001 } }, 'Visitator'],
      [{ noteId: 5002, at: { selfHref: '/formData/5002', citizenId: 1002 } }, 'Demensspecialister'],
    ]);
    let st = await ctx.status.meeting('solhoej', '2026-12-03');
    expect(st.notes).toEqual({ total: 3, done: 2, pending: 1, failed: 0 });
    expect(st.items.find((i) => i.noteId === 5001)?.reason).toBe('awaiting-receipt');
    ctx.medcom.acknowledgeAll();
    st = await ctx.status.meeting('solhoej', '2026-12-03');
    expect(st).toMatchObject({
      notes: { total: 3, done: 3, pending: 0, failed: 0 },
      documents: 3,
      letters: { sent: 1, acknowledged: 1, failed: 0 },
      tasks: 3,
    });
    expect(await ctx.status.gaugeRows('2026-11-23')).toEqual([
      { district: 'solhoej', meetingDate: '2026-12-03', state: 'done', count: 3 },
      { district: 'solhoej', meetingDate: '2026-12-03', state: 'pending', count: 0 },
      { district: 'solhoej', meetingDate: '2026-12-03', state: 'failed', count: 0 },
    ]);
  });

  it('a step that starts in another process before the watch has written its bookkeeping reads the note where the watch did', async () => {
    // BullMQ may hand a child to another worker process the moment the flow is added, before the
    // watch's markEnqueued; that process has never seen the note, so the job must say where it is.
    const early: NoteFlowPayload[] = [];
    const original = ctx.flows.push.bind(ctx.flows);
    ctx.flows.push = (...nodes: FlowNode[]) => {
      for (const n of nodes) early.push(...(n.children ?? []).map((c) => c.payload as NoteFlowPayload));
      return original(...nodes);
    };
    await ctx.watch.sweep();
    clearSharedReads(); // the other process has read nothing
    for (const p of early.filter((e) => e.noteId === 5003)) {
      await ctx.redis.del(`${ctx.prefix}:after-meeting-store:nv:5003:3`); // not yet written there
      await ctx.edocStep.run(p);
    }
    expect(ctx.nexus.noteReads.filter((r) => r.noteId === 5003)).toEqual([
      { noteId: 5003, at: { selfHref: '/formData/5003', citizenId: 1003 } },
    ]);
    expect(ctx.journal.documents.size).toBe(1);
  });

  it('ignores duplicate watch hits and a replay of completed flows', async () => {
    await ctx.watch.sweep();
    await ctx.runFlows();
    ctx.nexus.lockedQueries.length = 0;
    await ctx.redis.del(`${ctx.prefix}:after-meeting-store:cursor:solhoej`); // the same notes come back
    const again = await ctx.watch.sweep();
    expect(again).toMatchObject({ found: 3, started: 0, alreadyProcessed: 3 });
    expect(ctx.flows).toHaveLength(3);
    // Replay: run every job of every flow once more, as an operator's replay would.
    ctx.jobStates.clear();
    await ctx.runFlows();
    expect(ctx.journal.documents.size).toBe(3);
    expect(ctx.medcom.handovers).toBe(1);
    expect(ctx.nexus.tasks).toHaveLength(3);
    const lines = ctx.auditLines();
    expect(lines.filter((l) => l.action === 'nexus.task')).toHaveLength(3);
    const done = lines.filter((l) => l.action === 'after-meeting.done');
    expect(done).toHaveLength(3);
    expect(done.find((l) => l.noteId === 5001)).toMatchObject({
      meetingId: 'solhoej/2026-12-03',
      externalIds: { document: 'D-nexus-note-5001-v3', letter: 'L1' },
    });
  });

  it('survives a crash between enqueueing a flow and marking it: the same flow id is enqueued again', async () => {
    const mark = ctx.store.markEnqueued.bind(ctx.store);
    let crashes = 1;
    ctx.store.markEnqueued = async (rec) => {
      if (crashes-- > 0) throw new Error('process died');
      return mark(rec);
    };
    await expect(ctx.watch.sweep()).rejects.toThrow('process died');
    expect(await ctx.store.cursor('solhoej')).toBeNull(); // the cursor did not move past unmarked notes
    await ctx.watch.sweep();
    // The watch starts notes in parallel, so only the set of enqueues is fixed, not their order.
    expect(ctx.flows.map((f) => f.jobId).sort()).toEqual(['note-5001-v3', 'note-5001-v3', 'note-5002-v3', 'note-5003-v3']);
    await ctx.runFlows();
    expect(ctx.journal.documents.size).toBe(3);
    expect(ctx.medcom.handovers).toBe(1);
  });

  it('runs one watch at a time: a second one while the first is still walking Nexus skips', async () => {
    const find = ctx.nexus.findLockedNotes.bind(ctx.nexus);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    ctx.nexus.findLockedNotes = async (q) => {
      await gate;
      return find(q);
    };
    const first = ctx.watch.sweep();
    await new Promise((r) => setTimeout(r, 20));
    expect(await ctx.watch.sweep()).toMatchObject({ skipped: 'sweep already running', started: 0 });
    release();
    expect(await first).toMatchObject({ started: 3 });
    expect((await ctx.watch.sweep()).skipped).toBeUndefined(); // the lease was released
  });

  it("a citizen Nexus cannot give does not hold back the others; the next pass picks up that citizen's note", async () => {
    const find = ctx.nexus.findLockedNotes.bind(ctx.nexus);
    const unreadable = ctx.nexus.notes.get(5002)!.citizenId;
    ctx.nexus.findLockedNotes = async (q) => {
      const r = await find(q);
      return {
        notes: r.notes.filter((n) => n.citizenId !== unreadable),
        cursor: q.since,
        unreadCitizens: [{ citizenId: unreadable, code: 'HTTP_503' }],
      };
    };
    const first = await ctx.watch.sweep();
    expect(first).toMatchObject({ found: 2, started: 2, unreadCitizens: 1 });
    const since = ctx.nexus.lockedQueries[0].since;
    expect(await ctx.store.cursor('solhoej')).toBe(since); // not moved: the unread citizen's notes are still ahead

    ctx.nexus.findLockedNotes = find;
    expect(await ctx.watch.sweep()).toMatchObject({ found: 3, started: 1, alreadyProcessed: 2, unreadCitizens: 0 });
    expect(ctx.flows.map((f) => f.jobId).sort()).toEqual(['note-5001-v3', 'note-5002-v3', 'note-5003-v3']);
  });

  it('never moves the cursor past the query time, so a note with a future date cannot hide later locks', async () => {
    const future = ctx.nexus.addNote(5009, 1001, {});
    future.updateDate = '2027-06-01T00:00:00.000+0000';
    await ctx.watch.sweep();
    expect(await ctx.store.cursor('solhoej')).toBe('2026-12-03T10:50:00.000Z'); // "now" 11:00 minus the overlap
    ctx.nexus.relock(5003, { Konklusion: 'tilføjet' }).updateDate = '2026-12-03T10:55:00.000Z'; // locked again after the last query
    expect(await ctx.watch.sweep()).toMatchObject({ started: 1, corrections: 1 });
  });

  it("reads each note once per step chain: the watch's read serves the version check of every step", async () => {
    let reads = 0;
    const getNote = ctx.nexus.getNote.bind(ctx.nexus);
    ctx.nexus.getNote = async (id: number) => {
      reads++;
      return getNote(id);
    };
    await ctx.watch.sweep();
    await ctx.runFlows();
    expect(ctx.journal.documents.size).toBe(3);
    expect(reads).toBe(0); // the sweep's walk read them; the flows' steps started moments later
    clearSharedReads(); // later than that: one read per note, shared by its steps
    ctx.jobStates.clear();
    await ctx.runFlows();
    expect(reads).toBe(3);
  });

  it("reads a citizen's identity once for a note's filing and letter; a failed read is not kept", async () => {
    const identityReads: number[] = [];
    const getIdentity = ctx.nexus.getCitizenIdentity.bind(ctx.nexus);
    let failNext = false;
    ctx.nexus.getCitizenIdentity = async (id: number) => {
      identityReads.push(id);
      if (failNext) {
        failNext = false;
        throw new Error('nexus timeout');
      }
      return getIdentity(id);
    };
    await ctx.watch.sweep();
    const note5001 = ctx.flows[0].payload as NoteFlowPayload; // filing and letter
    failNext = true;
    await expect(ctx.edocStep.run(note5001)).rejects.toThrow('nexus timeout');
    await ctx.edocStep.run(note5001); // the retry reads again: the failure was not kept
    await ctx.letterStep.run(note5001); // the letter uses the filing's read
    expect(identityReads).toEqual([1001, 1001]);
    expect(ctx.journal.documents.size).toBe(1);
    expect(ctx.medcom.handovers).toBe(1);
  });

  it('reconciles a task whose reply was lost instead of creating it again', async () => {
    await ctx.watch.sweep();
    ctx.nexus.loseTaskReplies = 1;
    const p = ctx.flows[0].payload as NoteFlowPayload;
    await expect(ctx.tasksStep.run(p)).rejects.toThrow('timeout');
    expect(ctx.nexus.tasks).toHaveLength(1);
    const res = await ctx.tasksStep.run(p);
    expect(ctx.nexus.tasks).toHaveLength(2);
    expect(res).toEqual({ taskIds: ctx.nexus.tasks.map((t) => String(t.id)) });
  });

  it('processes a re-locked version as a correction: new document and letter, unchanged tasks not repeated', async () => {
    await ctx.watch.sweep();
    await ctx.runFlows();
    ctx.nexus.relock(5001, { Konklusion: 'Rettet konklusion' }); // v4, same follow-ups
    const s = await ctx.watch.sweep();
    // The cursor is inclusive: the last note of the previous run comes back and is recognised.
    expect(s).toMatchObject({ found: 2, started: 1, corrections: 1, alreadyProcessed: 1 });
    expect(ctx.flows[3].payload).toEqual({
      noteId: 5001,
      noteVersion: 4,
      districtId: 'solhoej',
      meetingDate: '2026-12-03',
      correctionOf: 3,
      citizenId: 1001,
      noteHref: '/formData/5001',
    });
    await ctx.runFlows();
    const docs = [...ctx.journal.documents.values()].filter((d) => d.noteId === 5001);
    expect(docs.map((d) => d.title)).toEqual([
      'Tværfagligt samarbejdsmøde 2026-12-03 - notat 5001 v3',
      'Tværfagligt samarbejdsmøde 2026-12-03 - notat 5001 v4 (rettelse af v3)',
    ]);
    expect(ctx.medcom.handovers).toBe(2);
    expect(ctx.nexus.tasks.filter((t) => t.on && 'noteId' in t.on && t.on.noteId === 5001)).toHaveLength(2);
    const st = await ctx.status.meeting('solhoej', '2026-12-03');
    expect(st.items.find((i) => i.noteId === 5001)).toMatchObject({ noteVersion: 4, correctionOf: 3 });
    expect(st.notes.total).toBe(3);
  });

  it('skips steps of a version that was unlocked again before they ran, and audits the skip once', async () => {
    await ctx.watch.sweep();
    ctx.nexus.relock(5001, {}, false); // v4, a draft again
    // The steps run later than the moment in which the watch's read serves them (SHARED_READ_MS).
    clearSharedReads();
    const p = ctx.flows[0].payload as NoteFlowPayload;
    expect(await ctx.letterStep.run(p)).toEqual({ skipped: 'superseded', supersededBy: 4 });
    expect(await ctx.letterStep.run(p)).toEqual({ skipped: 'superseded', supersededBy: 4 });
    expect(ctx.medcom.handovers).toBe(0);
    expect(ctx.auditLines().filter((l) => l.action === 'medcom.send' && l.outcome === 'skipped')).toHaveLength(1);
    await ctx.runFlows();
    const st = await ctx.status.meeting('solhoej', '2026-12-03');
    expect(st.items.find((i) => i.noteId === 5001)).toMatchObject({ state: 'pending', reason: 'unlocked-again' });
  });

  it('reports a note whose step was dead-lettered as failed', async () => {
    await ctx.watch.sweep();
    await ctx.runFlows();
    ctx.medcom.acknowledgeAll();
    ctx.jobStates.set('note-5002-v3-tasks', 'failed');
    const st = await ctx.status.meeting('solhoej', '2026-12-03');
    expect(st.notes).toEqual({ total: 3, done: 2, pending: 0, failed: 1 });
    expect(st.items.find((i) => i.noteId === 5002)).toMatchObject({ state: 'failed', reason: 'step-failed', failedSteps: ['tasks'] });
  });

  it('writes audit records with ids only: no CPR, names or note text', async () => {
    await ctx.watch.sweep();
    await ctx.runFlows();
    const raw = JSON.stringify(ctx.auditLines());
    for (const c of ctx.nexus.citizens.values()) {
      expect(raw).not.toContain(c.cpr);
      expect(raw).not.toContain(c.lastName);
    }
    expect(raw).not.toContain('Øg hjælp til bad');
    const enq = ctx.auditLines().filter((l) => l.action === 'after-meeting.enqueued');
    expect(enq.map((l) => l.noteId).sort()).toEqual([5001, 5002, 5003]);
    expect(enq.find((l) => l.noteId === 5001)).toMatchObject({ meetingId: 'solhoej/2026-12-03', externalIds: { flow: 'note-5001-v3' } });
    expect((await ctx.audit.query({ noteId: 5001 })).map((r) => r.action)).toEqual(
      expect.arrayContaining(['after-meeting.enqueued', 'nexus.task', 'after-meeting.done']),
    );
  });
});
