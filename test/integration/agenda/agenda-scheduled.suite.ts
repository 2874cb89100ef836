import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NexusSandboxControl } from '../../../adapters/nexus/sandbox/nexus-sandbox.control';
import { nexusSandboxUrl } from '../../../adapters/nexus/sandbox/nexus-sandbox.start';
import { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import { loadDistricts } from '../../../src/config/districts';
import { loadConfig } from '../../../src/config/load-config';
import { addCalendarDays } from '../../../src/common/local-time';
import { cutoffInstant, morningInstant } from '../../../src/domain/meeting-calendar';
import { publicHolidayFilter } from '../../../src/domain/working-days';
import type { RunningService } from '../../../src/main';
import { AgendaPlanner, collectJobId, publishJobId } from '../../../src/workflows/agenda/agenda.planner';
import { AgendaStore } from '../../../src/workflows/agenda/agenda.store';
import { CollectAgenda } from '../../../src/workflows/agenda/agenda.collect';
import { PublishAgenda } from '../../../src/workflows/agenda/agenda.publish';
import { seedSchema } from '../../../schemas/sandbox-seed.schema';
import { eventually, startTestService } from '../../support/test-service';
import { personalDataHits } from '../../unit/agenda/personal-data';

/**
 * The whole path against the Nexus simulator over HTTP, real Redis and a running worker: the worker
 * plans the collects at start, the scheduled morning collect fires, it publishes, and a rerun
 * changes nothing. The service's clock starts at `now` (TSM_NOW) and the meeting is the next Solhøj
 * meeting from there: the clock-matrix spec runs this suite at the awkward instants of the calendar.
 */
const solhoej = loadDistricts(loadConfig({})).find((d) => d.id === 'solhoej')!;
const FORM = 'Samlet faglig vurdering';
const TAG = 'ÆS – Tværfagligt samarbejdsmøde';

function seedFor(meetingDate: string) {
  const created = (daysBefore: number) => `${addCalendarDays(meetingDate, -daysBefore)}T09:00:00+01:00`;
  const note = (id: number, daysBefore: number, items: Record<string, string>) => ({
    id,
    formTitle: FORM,
    tags: [TAG],
    observationTimestamp: `${meetingDate}T00:00:00+01:00`,
    createDate: created(daysBefore),
    state: 'Kladde',
    items,
  });
  return seedSchema.parse({
    organizations: [
      { id: 10, name: 'Visitator' },
      { id: 11, name: 'Demensspecialister' },
      { id: 12, name: 'Sygeplejersker' },
      { id: 13, name: 'Træning og Rehabilitering' },
      { id: 18, name: 'Koordinerende rolle' },
    ],
    citizens: [
      {
        id: 3001,
        cpr: '1111521111',
        firstName: 'Birthe',
        lastName: 'Skov',
        organizations: [10, 13],
        gp: { ydernummer: '024015' },
        notes: [
          note(7001, 10, {
            Forløbstype: 'Rehabilitering (§ 83a)',
            Prioritet: '1',
            'Inviter egen læge': 'Ja',
            Emne: 'Genoptræning efter fald i hjemmet',
          }),
        ],
      },
      {
        id: 3002,
        cpr: '1212522222',
        firstName: 'Arne',
        lastName: 'Moos',
        conditions: ['Demens'],
        organizations: [10, 11, 12],
        notes: [note(7002, 8, { Forløbstype: 'Kompleks – demens', Prioritet: '1' })],
      },
      {
        id: 3003,
        cpr: '1302523333',
        firstName: 'Grete',
        lastName: 'Vang',
        organizations: [13],
        notes: [note(7003, 6, { Forløbstype: 'Komplekst forløb' })],
      },
      {
        id: 3004,
        cpr: '1403524444',
        firstName: 'Ole',
        lastName: 'Bech',
        organizations: [10],
        notes: [note(7004, 1, { Forløbstype: 'Rehabilitering (§ 83a)', Prioritet: '1' })],
      }, // late
    ],
    practices: [{ ydernummer: '024015', name: 'Lægerne i Solhøj', ean: '5790000000012', sor: '123456789012', formats: ['xdis91'] }],
  });
}

/** `expectedMeeting`: the meeting worked out by hand for `now` (the clock matrix), checked against the planner's. */
export function scheduledAgendaSuite(now: string, expectedMeeting?: string): void {
  describe(`agenda at ${now}: scheduled collect → publish against the Nexus sandbox (HTTP, real Redis, worker)`, () => {
    let svc: RunningService;
    let gateway: QueueGateway;
    let control: NexusSandboxControl;
    let meetingDate: string;
    let seed: ReturnType<typeof seedFor>;

    beforeAll(async () => {
      // The meeting the worker's planner will pick (the next one not yet begun), computed the same way.
      meetingDate = new AgendaPlanner(
        null as never,
        null as never,
        [solhoej],
        '5 0 * * *',
        () => new Date(now),
        publicHolidayFilter(true),
      ).nextMeeting(solhoej);
      if (expectedMeeting) expect(meetingDate).toBe(expectedMeeting);
      seed = seedFor(meetingDate);
      const seedFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'tsm-agenda-sched-')), 'seed.json');
      writeFileSync(seedFile, JSON.stringify(seed));
      svc = await startTestService('all', { SANDBOX_SEED: seedFile, TSM_NOW: now });
      gateway = svc.app.get(QueueGateway);
      control = new NexusSandboxControl(nexusSandboxUrl(svc.config));
    });

    afterAll(() => svc?.stop());

    const state = () => control.state();

    /** When a delayed job is due on the service's clock (BullMQ counts the delay on the machine's). */
    const dueOnServiceClock = (job: { timestamp: number; delay: number }) =>
      job.timestamp + job.delay + (svc.clock.now().getTime() - Date.now());

    it('the worker planned each collect as a delayed job due at its instant on the service clock, or caught it up at once', async () => {
      for (const [phase, at] of [
        ['cutoff', cutoffInstant(solhoej, meetingDate)],
        ['morning', morningInstant(solhoej, meetingDate)],
      ] as const) {
        const id = collectJobId({ districtId: 'solhoej', meetingDate, phase });
        const job = (await eventually(() => gateway.queue('agenda').getJob(id)))!;
        if (at.getTime() > Date.parse(now)) {
          expect(await job.getState()).toBe('delayed');
          // Within a second: the clock moved on between the plan and this read only by the time the test took.
          expect(Math.abs(dueOnServiceClock(job) - at.getTime())).toBeLessThan(1000);
        } else {
          expect(['waiting', 'active', 'completed', 'delayed']).toContain(await job.getState());
          expect(job.delay).toBe(0);
        }
      }
      expect((await gateway.schedulers('agenda')).map((s) => s.id)).toEqual(['agenda.plan']);
    });

    it('the scheduled morning collect publishes: times on the notes, tasks in Nexus, ICS without personal data', async () => {
      const job = (await gateway.queue('agenda').getJob(collectJobId({ districtId: 'solhoej', meetingDate, phase: 'morning' })))!;
      expect(job.data).toEqual({ districtId: 'solhoej', meetingDate, phase: 'morning' });
      if ((await job.getState()) === 'delayed') await job.promote(); // "now" instead of at 07:00 on the meeting day

      const stored = (await eventually(() => svc.app.get(AgendaStore).load('solhoej', meetingDate), 15_000))!;
      await eventually(
        async () =>
          (await gateway.jobState('agenda', publishJobId({ districtId: 'solhoej', meetingDate, phase: 'morning' }, stored.fingerprint))) ===
          'completed',
        15_000,
      );

      const notes = new Map((await state()).notes.map((n) => [n.id, n]));
      expect([7001, 7002, 7003, 7004].map((id) => notes.get(id)!.items.Tidspunkt ?? '')).toEqual(['10:00', '11:00', '11:10', '']);
      expect(notes.get(7004)!.version).toBe(1); // the late note is left alone
      expect([7001, 7002, 7003].map((id) => notes.get(id)!.state)).toEqual(['Kladde', 'Kladde', 'Kladde']);

      const tasks = (await state()).tasks;
      expect(tasks.map((t) => t.organisationName).sort()).toEqual([
        'Demensspecialister',
        'Koordinerende rolle',
        'Sygeplejersker',
        'Træning og Rehabilitering',
        'Visitator',
      ]);
      const coordinator = tasks.find((t) => t.organisationName === 'Koordinerende rolle')!;
      expect(coordinator.description).toContain('Ole Bech (notat 7004)'); // late
      expect(coordinator.description).toContain('11:10 Grete Vang: Visitator'); // missing relation
      for (const t of tasks) expect(t.dueDate?.slice(0, 10)).toBe(meetingDate);

      const outbox = path.join(svc.config.DATA_DIR, 'outbox', `teams-invite.solhoej.${meetingDate}`);
      const icsFile = readdirSync(outbox).find((f) => f.endsWith('.ics'))!;
      const ics = readFileSync(path.join(outbox, icsFile), 'utf8');
      expect(ics).toContain(`DTSTART;TZID=Europe/Copenhagen:${meetingDate.replace(/-/g, '')}T100000`);
      expect(personalDataHits(ics.replace(/\r\n /g, ''), seed)).toEqual([]);

      const audit = await svc.app.get(AuditService).query({ noteId: 7001 });
      expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['nexus.time', 'medcom.invite', 'nexus.task']));
    });

    it('a rerun (collect job and a direct publish of the same agenda) changes nothing in Nexus', async () => {
      const before = await state();
      const versions = (s: typeof before) => s.notes.map((n) => [n.id, n.version]);
      const collectId = await gateway.enqueue(
        'agenda.collect',
        { districtId: 'solhoej', meetingDate, phase: 'manual' },
        { jobId: `test-rerun-${Date.now()}` },
      );
      await eventually(async () => (await gateway.jobState('agenda', collectId)) === 'completed', 15_000);
      const stored = (await svc.app.get(AgendaStore).load('solhoej', meetingDate))!;
      const summary = await svc.app.get(PublishAgenda).publish(solhoej, stored.agenda);
      expect(summary).toMatchObject({
        times: { changed: 0, unchanged: 3 },
        tasks: { created: 0, existing: 5 },
        teams: 'existing',
        gp: { sent: 0, existing: 1, failed: 0 },
      });
      const after = await state();
      expect(versions(after)).toEqual(versions(before));
      expect(after.tasks).toHaveLength(before.tasks.length);
      expect(after.relations).toEqual(before.relations);
      expect(readdirSync(path.join(svc.config.DATA_DIR, 'outbox')).filter((f) => !f.startsWith('.'))).toHaveLength(1);
      // What was collected for the agenda matches a dry collect straight from Nexus.
      expect(
        (await svc.app.get(CollectAgenda).collect('solhoej', meetingDate, { store: false })).agenda.items.map((i) => [i.noteId, i.start]),
      ).toEqual(stored.agenda.items.map((i) => [i.noteId, i.start]));
    });
  });
}
