import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { FlowNode } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import { ManualClock } from '../../../src/common/clock';
import { Ledger } from '../../../src/ledger/ledger';
import { nextSweepAt, SweepPlanner, sweepJobId } from '../../../src/workflows/after-meeting/after-meeting.scheduler';
import { clearSharedReads } from '../../../src/workflows/after-meeting/after-meeting.flow';
import { AfterMeetingStore } from '../../../src/workflows/after-meeting/after-meeting.store';
import { LateNoteTask, NotesWatch } from '../../../src/workflows/after-meeting/after-meeting.watch';
import { AgendaWatchList } from '../../../src/workflows/after-meeting/after-meeting.watch-list';
import { FakeNexus } from './fakes';
import { district, labels, orgs } from './solhoej-district';

const MEETING = '2026-12-03';
/** 10:00 Copenhagen (CET, +01:00) on the meeting day: the start of its first slot. */
const START = '2026-12-03T09:00:00.000Z';
const FOLLOW_UP_MS = 7 * 86_400_000;
const INTERVAL_MS = 5 * 60_000;

let prefixN = 0;

function setup() {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const prefix = `tw${process.pid}x${prefixN++}x${Date.now().toString(36)}`;
  const auditDir = mkdtempSync(path.join(os.tmpdir(), 'h20-tw-audit-'));
  const store = new AfterMeetingStore(redis, prefix);
  const ledger = new Ledger(redis, prefix);
  const audit = new AuditService(redis, auditDir, prefix);
  const nexus = new FakeNexus();
  const reads: number[] = [];
  const getNote = nexus.getNote.bind(nexus);
  nexus.getNote = async (id: number) => {
    reads.push(id);
    return getNote(id);
  };
  const flows: FlowNode[] = [];
  const gateway = {
    addFlow: async (n: FlowNode) => {
      flows.push(n);
      return n.jobId;
    },
  };
  const clock = new ManualClock('2026-11-30T15:00:00.000Z'); // the cut-off day, 16:00 Copenhagen
  const reporter = new LateNoteTask(
    nexus as never,
    ledger,
    { taskType: 'Opgave', taskDueDays: 7, coordinator: () => orgs.coordinator },
    () => clock.now(),
  );
  const watch = new NotesWatch(
    nexus as never,
    gateway,
    store,
    audit,
    [district],
    { labels, organisations: () => orgs, taskDueDays: 7, lookbackMs: 30 * 86_400_000, watchLeaseMs: 5000, followUpMs: FOLLOW_UP_MS },
    pino({ level: 'silent' }),
    () => clock.now(),
    reporter,
  );
  const watchList = new AgendaWatchList(store, FOLLOW_UP_MS);
  /** The published agenda of the meeting: these notes, with the self links the collect walked. */
  const publish = (noteIds: number[]) =>
    watchList.register(
      district,
      {
        meetingDate: MEETING,
        items: noteIds.map((id) => ({ noteId: id, citizenId: nexus.notes.get(id)!.citizenId })) as never,
      },
      noteIds.map((id) => ({ ...nexus.notes.get(id)!, selfHref: `/formData/${id}` })),
    );
  const cleanup = async () => {
    await redis.quit();
    rmSync(auditDir, { recursive: true, force: true });
  };
  return { redis, store, nexus, reads, flows, clock, watch, publish, cleanup };
}

describe('the targeted after-meeting watch (fake Nexus, real Redis, manual clock)', () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => {
    clearSharedReads(); // reads are shared per process for moments; each test has its own fake Nexus
    ctx = setup();
    for (const c of [1001, 1002, 1003]) ctx.nexus.addCitizen(c, `01014${c}`.slice(0, 10));
    ctx.nexus.addNote(5001, 1001, { 'Send til egen læge': 'Ja' }, { locked: false });
    ctx.nexus.addNote(5002, 1002, { 'Send til egen læge': 'Nej' }, { locked: false });
    ctx.nexus.addNote(5003, 1003, { 'Send til egen læge': 'Nej' }, { locked: false });
  });
  afterEach(() => ctx.cleanup());

  it('outside meeting windows a pass reads nothing from Nexus: a quiet hour costs 0 calls', async () => {
    for (let i = 0; i < 12; i++) {
      expect(await ctx.watch.pass()).toMatchObject({ meetings: 0, read: 0 });
      ctx.clock.advance(INTERVAL_MS);
    }
    await ctx.publish([5001, 5002, 5003]);
    ctx.clock.set('2026-12-03T07:00:00.000Z'); // the meeting day, 08:00: not begun
    for (let i = 0; i < 12; i++) {
      await ctx.watch.pass();
      ctx.clock.advance(INTERVAL_MS);
    }
    expect(ctx.reads).toEqual([]);
    expect(ctx.flows).toEqual([]);
  });

  it('after the meeting has begun, one pass costs one read per unprocessed agenda note (≤ N + 2), then only the rest', async () => {
    await ctx.publish([5001, 5002, 5003]);
    ctx.clock.set(START);
    ctx.nexus.relock(5001, {});
    const first = await ctx.watch.pass();
    expect(first).toMatchObject({ meetings: 1, read: 3, started: 1, notLocked: 2 });
    expect(ctx.reads).toHaveLength(3);
    expect(ctx.flows.map((f) => f.jobId)).toEqual(['note-5001-v4']);
    expect(ctx.flows[0].payload).toMatchObject({ meetingDate: MEETING });

    ctx.reads.length = 0;
    ctx.nexus.relock(5002, {});
    ctx.clock.advance(INTERVAL_MS);
    expect(await ctx.watch.pass()).toMatchObject({ read: 2, started: 1, notLocked: 1 });
    expect(ctx.reads.sort()).toEqual([5002, 5003]);

    ctx.reads.length = 0;
    ctx.nexus.relock(5003, {});
    ctx.clock.advance(INTERVAL_MS);
    expect(await ctx.watch.pass()).toMatchObject({ read: 1, started: 1 });
    // Every note processed: the meeting leaves the watch list and later passes read nothing.
    ctx.reads.length = 0;
    ctx.clock.advance(INTERVAL_MS);
    expect(await ctx.watch.pass()).toMatchObject({ meetings: 0, read: 0 });
    expect(ctx.reads).toEqual([]);
  });

  it("stops reading a meeting's unlocked notes when the follow-up window ends", async () => {
    await ctx.publish([5001, 5002]);
    ctx.clock.set(START);
    expect(await ctx.watch.pass()).toMatchObject({ read: 2, notLocked: 2 });
    ctx.reads.length = 0;
    ctx.clock.set(new Date(Date.parse(START) + FOLLOW_UP_MS));
    expect(await ctx.watch.pass()).toMatchObject({ read: 0, windowsClosed: 1 });
    ctx.clock.advance(INTERVAL_MS);
    expect(await ctx.watch.pass()).toMatchObject({ meetings: 0, read: 0 });
    expect(ctx.reads).toEqual([]);
  });

  describe('issue 17: nothing after-meeting happens before the meeting has begun', () => {
    it('an agenda note locked before the meeting is processed once it has begun, in the version it then has', async () => {
      await ctx.publish([5001, 5002, 5003]);
      ctx.nexus.relock(5001, { Konklusion: 'før mødet' }); // v4, locked on the cut-off day
      // Neither the sweep nor a pass acts on it before the start.
      expect(await ctx.watch.sweep()).toMatchObject({ found: 1, started: 0, deferred: 1 });
      expect(await ctx.watch.pass()).toMatchObject({ read: 0 });
      ctx.clock.set('2026-12-03T08:59:59.999Z');
      expect(await ctx.watch.sweep()).toMatchObject({ started: 0 });
      expect(await ctx.watch.pass()).toMatchObject({ read: 0 });
      expect(ctx.flows).toEqual([]);
      // Reopened and locked again on the morning of the meeting: v6 is the version to process.
      ctx.nexus.relock(5001, {}, false);
      ctx.nexus.relock(5001, { Konklusion: 'på mødet' });
      ctx.clock.set(START);
      expect(await ctx.watch.pass()).toMatchObject({ started: 1 });
      expect(ctx.flows.map((f) => f.jobId)).toEqual(['note-5001-v6']);
      expect(ctx.flows[0].payload).toEqual({
        noteId: 5001,
        noteVersion: 6,
        districtId: 'solhoej',
        meetingDate: MEETING,
        citizenId: 1001,
        noteHref: '/formData/5001',
      });
    });

    it('a note never on an agenda, locked before its meeting, waits for the start; then it is processed and reported', async () => {
      ctx.nexus.addCitizen(1004, '0101401004');
      ctx.nexus.addNote(5004, 1004, { 'Send til egen læge': 'Nej' }); // locked, dated the meeting day, not on the agenda
      expect(await ctx.watch.sweep()).toMatchObject({ found: 1, started: 0, deferred: 1 });
      expect(ctx.flows).toEqual([]);
      ctx.clock.set(START);
      expect(await ctx.watch.pass()).toMatchObject({ read: 1, started: 1 });
      expect(ctx.flows.map((f) => f.jobId)).toEqual(['note-5004-v3']);
      expect(ctx.nexus.tasks.map((t) => [t.on, t.title])).toEqual([
        [{ noteId: 5004 }, 'Notat uden for dagsordenen behandlet (notat 5004 v3)'],
      ]);
    });

    it('the nightly sweep processes a late note after its meeting and reports it to the coordinator once', async () => {
      ctx.clock.set('2026-12-04T01:30:00.000Z'); // 02:30 the night after the meeting
      ctx.nexus.addCitizen(1004, '0101401004');
      ctx.nexus.addNote(5004, 1004, { 'Send til egen læge': 'Nej' });
      expect(await ctx.watch.sweep()).toMatchObject({ found: 1, started: 1, reported: 1 });
      expect(ctx.nexus.tasks).toEqual([
        expect.objectContaining({
          on: { noteId: 5004 },
          organisationName: 'Koordinerende rolle',
          dueDate: '2026-12-11',
          title: 'Notat uden for dagsordenen behandlet (notat 5004 v3)',
          description: expect.stringContaining('var ikke på nogen dagsorden'),
        }),
      ]);
      await ctx.redis.del(`${(ctx.store as unknown as { prefix: string }).prefix}:after-meeting-store:cursor:solhoej`);
      expect(await ctx.watch.sweep()).toMatchObject({ started: 0, alreadyProcessed: 1, reported: 0 });
      expect(ctx.nexus.tasks).toHaveLength(1);
      // An agenda note processed by the watch is not reported; its correction is.
      ctx.nexus.relock(5004, { Konklusion: 'rettet' });
      ctx.clock.advance(3_600_000);
      expect(await ctx.watch.sweep()).toMatchObject({ started: 1, corrections: 1, reported: 1 });
      expect(ctx.nexus.tasks[1]).toMatchObject({ title: 'Rettet notat behandlet efter mødet 2026-12-03 (notat 5004 v4)' });
    });
  });
});

describe('the nightly sweep plan', () => {
  it('is the next WATCH_SWEEP_AT in Copenhagen time, across the DST change, with one job id per night', async () => {
    expect(nextSweepAt(new Date('2026-06-01T12:00:00Z'), '02:30').toISOString()).toBe('2026-06-02T00:30:00.000Z'); // CEST
    expect(nextSweepAt(new Date('2026-10-26T12:00:00Z'), '02:30').toISOString()).toBe('2026-10-27T01:30:00.000Z'); // CET again
    expect(nextSweepAt(new Date('2026-12-03T01:29:00Z'), '02:30').toISOString()).toBe('2026-12-03T01:30:00.000Z');
    expect(nextSweepAt(new Date('2026-12-03T01:30:00Z'), '02:30').toISOString()).toBe('2026-12-04T01:30:00.000Z');
    const enqueued: unknown[] = [];
    const clock = new ManualClock('2026-12-03T12:00:00Z');
    const planner = new SweepPlanner(
      {
        enqueue: async (...a: unknown[]) => {
          enqueued.push(a);
          return 'x';
        },
      } as never,
      '02:30',
      () => clock.now(),
    );
    expect(await planner.planNext()).toEqual({ at: '2026-12-04T01:30:00.000Z', jobId: sweepJobId('2026-12-04') });
    expect(enqueued).toEqual([['notes.sweep', {}, { jobId: 'notes-sweep-2026-12-04', delayMs: 13.5 * 3_600_000 }]]);
  });
});
