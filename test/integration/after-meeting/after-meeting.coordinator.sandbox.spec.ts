import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { NexusClient, nexusClientOptions } from '../../../adapters/nexus/nexus.client';
import { startConfiguredNexusSandbox } from '../../../adapters/nexus/sandbox/nexus-sandbox.start';
import { NexusSandboxControl } from '../../../adapters/nexus/sandbox/nexus-sandbox.control';
import type { RunningNexusSandbox } from '../../../adapters/nexus/sandbox/nexus-sandbox';
import { AuditService } from '../../../src/audit/audit.service';
import type { AppConfig } from '../../../src/config/config.schema';
import { District, loadDistricts } from '../../../src/config/districts';
import { loadConfig } from '../../../src/config/load-config';
import { UNDELIVERABLE_REASONS, UndeliverableReason } from '../../../src/domain/after-meeting.coordinator';
import { WorkingDayCalendar } from '../../../src/domain/working-days';
import { KeyLock } from '../../../src/ledger/key-lock';
import { Ledger } from '../../../src/ledger/ledger';
import { CollectAgenda, collectSettings } from '../../../src/workflows/agenda/agenda.collect';
import { AgendaStore } from '../../../src/workflows/agenda/agenda.store';
import { CoordinatorTasks } from '../../../src/workflows/after-meeting/after-meeting.coordinator-tasks';
import { NoteTasksStep } from '../../../src/workflows/after-meeting/after-meeting.note-tasks';
import { SendNoteStep } from '../../../src/workflows/after-meeting/after-meeting.send-note';
import type { LetterUndeliverablePayload } from '../../../queues/jobs/after-meeting.jobs';
import { PermanentError, RetryableError } from '../../../src/common/errors';
import { noteToGpLetterContent } from '../../../src/domain/gp-letter.content';
import { FakeDirectory, FakeMedcom } from './fakes';
import { afterMeetingSettings } from '../../../src/workflows/after-meeting/after-meeting.settings';
import { AfterMeetingStore } from '../../../src/workflows/after-meeting/after-meeting.store';

/**
 * Issue 17 against the Nexus simulator over HTTP (shipped Solhøj seed, meeting 2026-12-03): the
 * coordinator's reminders about unlocked agenda notes, the task per undeliverable GP letter, and the
 * attach-organisation task that goes to the organisation itself (or, unknown, to the coordinator).
 */
const D = '2026-12-03';
const COORDINATOR = 'Koordinerende rolle';

describe('after the meeting, against the Nexus simulator: the coordinator hears what needs a person', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  let sandbox: RunningNexusSandbox;
  let config: AppConfig;
  let control: NexusSandboxControl;
  let districts: District[];
  const clients: NexusClient[] = [];
  let run = 0;

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SANDBOX_RANDOM_SEED: '1234', NEXUS_TIMEOUT_MS: '2000' });
    const started = await startConfiguredNexusSandbox(base);
    sandbox = started.sandbox;
    config = { ...base, ...started.env };
    control = new NexusSandboxControl(sandbox.url);
    districts = loadDistricts(config);
  });
  afterAll(async () => {
    clients.forEach((c) => c.shutdown());
    await sandbox.stop();
    await redis.quit();
  });
  beforeEach(() => control.reset());

  function harness(now = new Date('2026-12-04T09:00:00Z')) {
    const prefix = `amcoord${process.pid}x${run++}`;
    const nexus = new NexusClient(nexusClientOptions(config));
    clients.push(nexus);
    const enqueued: Array<{ name: string; payload: unknown; jobId?: string; delayMs?: number }> = [];
    const queues = {
      enqueue: async (name: string, payload: unknown, o: { jobId?: string; delayMs?: number } = {}) => (
        enqueued.push({ name, payload, ...o }),
        o.jobId ?? ''
      ),
    };
    const audit = new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'h17-amcoord-audit-')), prefix);
    const ledger = new Ledger(redis, prefix);
    const flows = new AfterMeetingStore(redis, prefix);
    const agendas = new AgendaStore(redis, prefix);
    const s = afterMeetingSettings(config, districts);
    const tasks = new CoordinatorTasks({
      nexus,
      ledger,
      lock: new KeyLock(redis, prefix),
      audit,
      agendas,
      flows,
      queues: queues as never,
      districts,
      calendar: new WorkingDayCalendar(),
      settings: { unlockedTask: { afterWorkingDays: 1, maxTasks: 5 }, taskType: config.NEXUS_TASK_TYPE, taskLockTtlMs: 5_000 },
      now: () => now,
    });
    const noteTasks = new NoteTasksStep(nexus, ledger, new KeyLock(redis, prefix), flows, audit, s);
    const collect = () =>
      new CollectAgenda(nexus, districts, agendas, audit, collectSettings(config)).collect('solhoej', D, { store: true });
    return { nexus, enqueued, audit, tasks, noteTasks, collect, flows };
  }
  const nexusTasks = async (titlePart: string) => (await control.state()).tasks.filter((t) => t.title.includes(titlePart));

  it('reminds the coordinator of the agenda notes not locked, once per round, each working day until none, at most 5', async () => {
    const h = harness();
    const { agenda } = await h.collect();
    const onAgenda = agenda.items.map((i) => i.noteId);
    expect(onAgenda.length).toBeGreaterThan(3);

    const first = await h.tasks.unlockedNotes({ districtId: 'solhoej', meetingDate: D, round: 1 });
    expect(first.unlocked.sort()).toEqual([...onAgenda].sort());
    const [task] = await nexusTasks('notater der ikke er låst (påmindelse 1)');
    expect(task).toMatchObject({
      organisationName: COORDINATOR,
      title: 'Tværfagligt samarbejdsmøde 03.12.2026: notater der ikke er låst (påmindelse 1)',
      on: { noteId: Math.min(...onAgenda) },
    });
    for (const id of onAgenda) expect(task.description).toContain(`(notat ${id})`);
    expect(task.description).not.toMatch(/\d{6}-?\d{4}/); // no CPR
    // The next round is a delayed job with its own id, due the next working day (Monday) at 10:00.
    expect(h.enqueued).toEqual([
      {
        name: 'after-meeting.unlocked-notes',
        payload: { districtId: 'solhoej', meetingDate: D, round: 2 },
        jobId: `after-meeting-unlocked-solhoej-${D}-2`,
        delayMs: Date.parse('2026-12-07T09:00:00Z') - Date.parse('2026-12-04T09:00:00Z'),
      },
    ]);

    // A retry of the same round (a stalled job, a restart) creates nothing new.
    await h.tasks.unlockedNotes({ districtId: 'solhoej', meetingDate: D, round: 1 });
    expect(await nexusTasks('notater der ikke er låst')).toHaveLength(1);

    // Some are locked now: the next reminder lists only the others.
    const [lockedA, lockedB, ...rest] = [...onAgenda].sort((a, b) => a - b);
    await control.conclude(lockedA, { Konklusion: 'Aftalt' });
    await control.conclude(lockedB, { Konklusion: 'Aftalt' });
    const second = await h.tasks.unlockedNotes({ districtId: 'solhoej', meetingDate: D, round: 2 });
    expect(second.unlocked.sort()).toEqual(rest.sort());
    const [task2] = await nexusTasks('(påmindelse 2)');
    expect(task2.description).not.toContain(`(notat ${lockedA})`);
    expect(task2.on).toEqual({ noteId: rest[0] });

    // The fifth is the last: no sixth is planned.
    h.enqueued.length = 0;
    await h.tasks.unlockedNotes({ districtId: 'solhoej', meetingDate: D, round: 5 });
    expect((await nexusTasks('(påmindelse 5)'))[0].description).toContain('Sidste påmindelse (5 af 5)');
    expect(h.enqueued).toEqual([]);

    // All locked: no task, and the chain stops.
    for (const id of rest) await control.conclude(id, { Konklusion: 'Aftalt' });
    const done = await h.tasks.unlockedNotes({ districtId: 'solhoej', meetingDate: D, round: 3 });
    expect(done).toEqual({ unlocked: [] });
    expect(await nexusTasks('(påmindelse 3)')).toEqual([]);
    expect(h.enqueued).toEqual([]);
  }, 60_000);

  it.each(Object.keys(UNDELIVERABLE_REASONS).map((r) => [r as UndeliverableReason]))(
    'a GP letter undeliverable with %s is one task to the coordinator on the citizen, with the reason in Danish',
    async (reason) => {
      const h = harness();
      const note = await h.nexus.getNote(5001);
      const letterId = reason.startsWith('MEDCOM') ? `L-${reason}` : undefined;
      const payload = {
        noteId: 5001,
        noteVersion: note.version,
        kind: 'meeting-note' as const,
        reason,
        ...(letterId ? { letterId } : {}),
        districtId: 'solhoej',
        meetingDate: D,
      };
      const r = await h.tasks.letterUndeliverable(payload);
      await h.tasks.letterUndeliverable(payload); // reported twice (a refusal after a give-up, a retried job): one task
      const tasks = await nexusTasks('brev til egen læge kunne ikke leveres');
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({ organisationName: COORDINATOR, on: { citizenId: note.citizenId } });
      expect(String(tasks[0].id)).toBe((r as { task: string }).task);
      expect(tasks[0].description).toContain(UNDELIVERABLE_REASONS[reason]);
      const audited = (await h.audit.query({ noteId: 5001 })).filter((a) => a.action === 'nexus.task');
      expect(audited).toHaveLength(1);
      expect(audited[0].externalIds).toMatchObject({ kind: 'letter-undeliverable', reason });
    },
    30_000,
  );

  it("finds the meeting of a letter from the note's flow or the invitation's audit line; other codes are not the coordinator's", async () => {
    const h = harness();
    await h.flows.markEnqueued({ noteId: 5002, noteVersion: 1, districtId: 'solhoej', meetingDate: D });
    await h.tasks.letterUndeliverable({ noteId: 5002, noteVersion: 1, kind: 'meeting-note', reason: 'MEDCOM_NO_RECEIPT', letterId: 'L-9' });
    expect((await nexusTasks('(notat 5002 v1)'))[0].title).toBe(
      'Tværfagligt samarbejdsmøde 03.12.2026: brev til egen læge kunne ikke leveres (notat 5002 v1)',
    );
    expect(
      await h.tasks.letterUndeliverable({ noteId: 5002, noteVersion: 1, kind: 'meeting-note', reason: 'NEXUS_TIMEOUT', letterId: 'L-10' }),
    ).toEqual({ skipped: 'not an undeliverable-letter reason: NEXUS_TIMEOUT' });
    // A letter of no meeting (sent by a tool): its MedCom dead letter is operations'; no coordinator to tell.
    expect(
      await h.tasks.letterUndeliverable({
        noteId: 5003,
        noteVersion: 1,
        kind: 'meeting-invitation',
        reason: 'MEDCOM_REJECTED',
        letterId: 'L-11',
      }),
    ).toEqual({ skipped: 'LETTER_MEETING_UNKNOWN' });
    // An agenda invitation's letter: the meeting is in the audit trail of the invitation.
    await h.audit.record({
      action: 'medcom.invite',
      system: 'medcom',
      outcome: 'ok',
      noteId: 5003,
      meetingId: `solhoej/${D}`,
      externalIds: { letterId: 'L-12' },
    });
    await h.tasks.letterUndeliverable({
      noteId: 5003,
      noteVersion: 1,
      kind: 'meeting-invitation',
      reason: 'MEDCOM_REJECTED',
      letterId: 'L-12',
      refuseCode: 'F1',
    });
    const [invitation] = await nexusTasks('invitation til egen læge kunne ikke leveres');
    expect(invitation.description).toContain('afvisningskode F1');
  }, 30_000);

  it.each([
    ['GP_UNKNOWN', 'directory'],
    ['NAME_NOT_REPRESENTABLE', 'medcom'],
    ['NEXUS_TIMEOUT', 'medcom'],
  ])(
    'the send-note step reports a letter it cannot send (%s) once, and still fails',
    async (code, where) => {
      const h = harness();
      const concluded = await control.conclude(5001, { 'Send til egen læge': 'Ja' });
      const p = { noteId: 5001, noteVersion: concluded.version, districtId: 'solhoej', meetingDate: D };
      const refuse = async (): Promise<never> => {
        throw code === 'NEXUS_TIMEOUT' ? new RetryableError('x', code) : new PermanentError('refused', code);
      };
      const directory = where === 'directory' ? { practiceFor: refuse } : new FakeDirectory();
      const medcom = where === 'medcom' ? Object.assign(new FakeMedcom(), { send: refuse }) : new FakeMedcom();
      const reported: LetterUndeliverablePayload[] = [];
      const step = new SendNoteStep(
        h.nexus,
        directory,
        medcom,
        (n, c, d) => noteToGpLetterContent(n, c, d),
        h.flows,
        h.audit,
        afterMeetingSettings(config, districts).labels,
        async (r) => void reported.push(r),
      );
      await expect(step.run(p)).rejects.toMatchObject({ code });
      if (code === 'NEXUS_TIMEOUT') return expect(reported).toEqual([]); // passing faults are retried, not the coordinator's
      expect(reported).toEqual([
        { noteId: 5001, noteVersion: concluded.version, kind: 'meeting-note', reason: code, districtId: 'solhoej', meetingDate: D },
      ]);
      await h.tasks.letterUndeliverable(reported[0]);
      const [task] = await nexusTasks('brev til egen læge kunne ikke leveres');
      expect(task.description).toContain(`Årsag (${code})`);
    },
    30_000,
  );

  it('attach organisation: a task to each organisation Nexus knows; UNKNOWN_ORGANISATION to the coordinator', async () => {
    const h = harness();
    const concluded = await control.conclude(5001, { 'Tilknyt organisation': 'demensspecialister; Hjælpemiddelterapeuter' });
    const p = { noteId: 5001, noteVersion: concluded.version, districtId: 'solhoej', meetingDate: D };
    await h.flows.markEnqueued(p);
    const r = await h.noteTasks.run(p);
    await h.noteTasks.run(p); // a retry: nothing twice
    const created = (await control.state()).tasks.filter((t) => 'noteId' in t.on && t.on.noteId === 5001);
    expect('taskIds' in r && r.taskIds).toHaveLength(2);
    expect(created.map((t) => [t.organisationName, t.title])).toEqual([
      ['Demensspecialister', `Tværfagligt samarbejdsmøde ${D}: tilknyt organisation Demensspecialister (notat 5001 v${concluded.version})`],
      [COORDINATOR, `Tværfagligt samarbejdsmøde ${D}: ukendt organisation (notat 5001 v${concluded.version})`],
    ]);
    const unknown = created.find((t) => t.organisationName === COORDINATOR)!;
    expect(unknown.description).toContain('UNKNOWN_ORGANISATION');
    expect(unknown.description).toContain('"Hjælpemiddelterapeuter"');
  }, 30_000);
});
