import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { OutboxNotifier } from '../../../adapters/notify/outbox.notifier';
import type { JobContext } from '../../../queues/job-context';
import { AgendaProcessor } from '../../../src/workflows/agenda/agenda.processor';
import type { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import { District, loadDistricts } from '../../../src/config/districts';
import { loadConfig } from '../../../src/config/load-config';
import { toAgendaDocument } from '../../../src/domain/agenda.builder';
import { Ledger } from '../../../src/ledger/ledger';
import { agendaSize } from '../../../src/metrics/metrics';
import { AgendaPlanner } from '../../../src/workflows/agenda/agenda.planner';
import { AgendaStore } from '../../../src/workflows/agenda/agenda.store';
import { CollectAgenda } from '../../../src/workflows/agenda/agenda.collect';
import { PublishAgenda, PublishDeps } from '../../../src/workflows/agenda/agenda.publish';
import { unlockedNotesFollowUp } from '../../../src/workflows/agenda/agenda.follow-up';
import { WorkingDayCalendar } from '../../../src/domain/working-days';
import { personalDataHits } from '../../unit/agenda/personal-data';
import { FakeDirectory, FakeMedcom, FakeNexus, PRACTICE } from './agenda-fakes';
import { D, EXPECTED_DOCUMENT, FORM, SEED, TAG } from './agenda-seed';

let counter = 0;

interface Harness {
  nexus: FakeNexus;
  medcom: FakeMedcom;
  outbox: string;
  store: AgendaStore;
  audit: AuditService;
  collect: CollectAgenda;
  publisher: (over?: Partial<PublishDeps>) => PublishAgenda;
  solhoej: District;
  /** Collects and publishes, as the cut-off and morning jobs do. */
  cycle(over?: Partial<PublishDeps>): ReturnType<PublishAgenda['publish']>;
}

describe('agenda workflows (in-memory Nexus, real Redis)', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const districts = loadDistricts(loadConfig({}));

  afterAll(() => redis.quit());

  function harness(): Harness {
    const prefix = `agendawf${process.pid}x${counter++}`;
    const nexus = new FakeNexus(SEED);
    const medcom = new FakeMedcom();
    const outbox = mkdtempSync(path.join(os.tmpdir(), 'tsm-agenda-outbox-'));
    const store = new AgendaStore(redis, prefix);
    const audit = new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'tsm-agenda-audit-')), prefix);
    const ledger = new Ledger(redis, prefix);
    const collect = new CollectAgenda(nexus, districts, store, audit);
    const publisher = (over: Partial<PublishDeps> = {}) =>
      new PublishAgenda({
        nexus,
        notify: new OutboxNotifier(outbox),
        medcom,
        gpDirectory: new FakeDirectory(),
        ledger,
        audit,
        store,
        settings: { autoAttach: false, taskType: 'Opgave' },
        now: () => new Date('2026-11-30T15:00:00Z'),
        ...over,
      });
    const solhoej = districts.find((d) => d.id === 'solhoej')!;
    return {
      nexus,
      medcom,
      outbox,
      store,
      audit,
      collect,
      publisher,
      solhoej,
      cycle: async (over) => publisher(over).publish(solhoej, (await collect.collect('solhoej', D, { store: true })).agenda),
    };
  }

  const messages = (outbox: string) => readdirSync(outbox).filter((f) => !f.startsWith('.'));
  const versions = (h: Harness) => [...h.nexus.notes.values()].map((n) => [n.id, n.version]);

  it('collect: builds the agenda by the rules, stores the snapshot and audits it', async () => {
    const h = harness();
    const { agenda, stored } = await h.collect.collect('solhoej', D, { store: true });
    expect(toAgendaDocument('solhoej', agenda)).toEqual(EXPECTED_DOCUMENT);
    expect(h.nexus.meetingQueries).toEqual([
      {
        observationDate: D,
        observationFrom: '2026-11-20',
        formTitle: FORM,
        tag: TAG,
        citizenList: 'Tværfagligt samarbejdsmøde – notater og aftaler',
        citizenView: '- Alt',
      },
    ]);
    const loaded = await h.store.load('solhoej', D);
    expect(loaded?.fingerprint).toBe(stored!.fingerprint);
    expect(toAgendaDocument('solhoej', loaded!.agenda)).toEqual(EXPECTED_DOCUMENT);
    expect(JSON.stringify(loaded)).not.toMatch(/Karen|Holm|0101301111|hoftebrud/);
    const gauge = (await agendaSize.get()).values.filter((v) => v.labels.district === 'solhoej' && v.labels.meeting_date === D);
    expect(Object.fromEntries(gauge.map((v) => [v.labels.kind, v.value]))).toEqual({ items: 3, excluded: 1, warnings: 2 });
    const day = await h.audit.query({ day: new Date().toISOString().slice(0, 10) });
    expect(day.filter((r) => r.action === 'agenda.collect')).toEqual([
      expect.objectContaining({
        meetingId: `solhoej/${D}`,
        outcome: 'ok',
        externalIds: { items: '3', excluded: '1', fingerprint: stored!.fingerprint },
      }),
    ]);
  });

  it('collect: reads the district’s own citizen list and refuses unknown districts and bad dates', async () => {
    const h = harness();
    await h.collect.collect('nordvang', '2026-12-01', { store: false });
    expect(h.nexus.meetingQueries[0].citizenList).toBe('Tværfagligt samarbejdsmøde Nordvang – notater og aftaler');
    await expect(h.collect.collect('atlantis', D, { store: false })).rejects.toMatchObject({
      code: 'AGENDA_UNKNOWN_DISTRICT',
      errorClass: 'permanent',
    });
    await expect(h.collect.collect('solhoej', '03-12-2026', { store: false })).rejects.toMatchObject({
      code: 'AGENDA_BAD_DATE',
      errorClass: 'permanent',
    });
  });

  it('publish: times on the notes, one task per organisation, the coordinator task, Teams mail and GP invitation', async () => {
    const h = harness();
    const summary = await h.cycle();
    expect(summary).toEqual({
      district: 'solhoej',
      meetingDate: D,
      times: { changed: 3, unchanged: 0, cleared: 0 },
      attached: 0,
      tasks: { created: 4, existing: 0 },
      teams: 'sent',
      gp: { sent: 1, existing: 0, failed: 0 },
    });
    expect([6001, 6002, 6003, 6004].map((id) => h.nexus.notes.get(id)!.items.Tidspunkt)).toEqual(['10:00', '10:10', '11:00', undefined]);
    expect([6001, 6002, 6003, 6004].map((id) => h.nexus.notes.get(id)!.state)).toEqual(['Kladde', 'Kladde', 'Kladde', 'Kladde']);

    const byOrg = new Map(h.nexus.tasks.map((t) => [t.organisationName, t]));
    expect([...byOrg.keys()].sort()).toEqual(['Demensspecialister', 'Koordinerende rolle', 'Træning og Rehabilitering', 'Visitator']);
    expect(byOrg.get('Visitator')).toMatchObject({ on: { noteId: 6001 }, dueDate: D, typeName: 'Opgave' });
    expect(byOrg.get('Visitator')!.description).toContain('- 10:00–10:10 Karen Holm, rehabilitering (§ 83a) (notat 6001)');
    expect(byOrg.get('Visitator')!.description).toContain('- 11:00–11:10 Inge Lund, komplekst forløb (notat 6003)');
    expect(byOrg.get('Visitator')!.description).not.toContain('Poul Berg'); // rule 7: not on his relations
    expect(byOrg.get('Træning og Rehabilitering')!.description).toMatch(/Karen Holm[\s\S]*Poul Berg/);
    expect(byOrg.get('Demensspecialister')!.description).not.toMatch(/Karen|Poul/);
    const coordinator = byOrg.get('Koordinerende rolle')!;
    expect(coordinator.description).toContain('- Erik Dahl (notat 6004)');
    expect(coordinator.description).toContain('- 10:10 Poul Berg: Visitator');
    expect(coordinator.description).toContain('- 11:00 Inge Lund: Sygeplejersker');
    for (const t of h.nexus.tasks) expect(`${t.title}\n${t.description}`).not.toMatch(/\d{6}-?\d{4}/);

    const [message] = messages(h.outbox);
    expect(message).toBe(`teams-invite.solhoej.${D}`);
    const dir = path.join(h.outbox, message);
    const ics = readdirSync(dir).find((f) => f.endsWith('.ics'))!;
    const icsText = readFileSync(path.join(dir, ics), 'utf8').replace(/\r\n /g, '');
    expect(icsText).toContain('DTSTART;TZID=Europe/Copenhagen:20261203T100000');
    expect(icsText).toContain('DTEND;TZID=Europe/Copenhagen:20261203T111000'); // the agenda's real end, not 12:00
    expect(icsText).toContain('https://teams.microsoft.com/l/meetup-join/sandbox-solhoej');
    expect(personalDataHits(icsText, SEED)).toEqual([]);
    expect(personalDataHits(readFileSync(path.join(dir, 'message.json'), 'utf8'), SEED)).toEqual([]);

    const letters = [...h.medcom.letters.values()].map((l) => l.letter);
    expect(letters).toEqual([
      expect.objectContaining({
        idempotencyKey: `agenda-gp-invite:6001:${D}:10:00`,
        noteId: 6001,
        noteVersion: 2,
        kind: 'meeting-invitation',
        patient: { cpr: '0101301111', givenName: 'Karen', surname: 'Holm' },
        receiver: PRACTICE,
        subject: 'Invitation: tværfagligt samarbejdsmøde 03.12.2026 kl. 10:00',
      }),
    ]);
    expect(letters[0].text).toContain('kl. 10:00–10:10');

    const audited = (await h.audit.query({ day: new Date().toISOString().slice(0, 10) })).map((r) => r.action).sort();
    expect(audited).toEqual([
      'agenda.collect',
      'medcom.invite',
      'nexus.task',
      'nexus.task',
      'nexus.task',
      'nexus.task',
      'nexus.time',
      'nexus.time',
      'nexus.time',
      'notify.teams',
    ]);
  });

  it('rerun: collecting and publishing the same agenda again changes nothing anywhere', async () => {
    const h = harness();
    await h.cycle();
    const before = { versions: versions(h), tasks: h.nexus.tasks.length, outbox: messages(h.outbox), handovers: h.medcom.handovers };
    const again = await h.cycle();
    await h.publisher().publish(h.solhoej, (await h.store.load('solhoej', D))!.agenda);
    expect({ versions: versions(h), tasks: h.nexus.tasks.length, outbox: messages(h.outbox), handovers: h.medcom.handovers }).toEqual(
      before,
    );
    expect(again).toMatchObject({
      times: { changed: 0, unchanged: 3 },
      tasks: { created: 0, existing: 4 },
      teams: 'existing',
      gp: { sent: 0, existing: 1 },
    });
  });

  it('a task created whose reply was lost is found again (reconciled), not created twice', async () => {
    const h = harness();
    h.nexus.loseTaskReplies = 1;
    await expect(h.cycle()).rejects.toMatchObject({ errorClass: 'retryable' });
    // The three invitations exist (the first one's reply was lost); the job stopped before the coordinator's.
    expect(h.nexus.tasks.map((t) => t.organisationName)).toEqual(['Visitator', 'Træning og Rehabilitering', 'Demensspecialister']);
    const retry = await h.cycle();
    expect(h.nexus.tasks.map((t) => t.organisationName).sort()).toEqual([
      'Demensspecialister',
      'Koordinerende rolle',
      'Træning og Rehabilitering',
      'Visitator',
    ]);
    expect(retry.tasks).toEqual({ created: 1, existing: 3 });
    const reconciled = (await h.audit.query({ day: new Date().toISOString().slice(0, 10) })).filter(
      (r) => r.action === 'nexus.task' && r.outcome === 'reused',
    );
    expect(reconciled.map((r) => r.externalIds?.organisation)).toEqual(['Visitator']);
  });

  it('a changed agenda gives new invitations only to the organisations whose slots changed', async () => {
    const h = harness();
    await h.cycle();
    h.nexus.relations.push(
      { id: 1, citizenId: 2005, organisation: { id: 10, name: 'Visitator' } },
      { id: 2, citizenId: 2005, organisation: { id: 13, name: 'Træning og Rehabilitering' } },
    );
    h.nexus.citizens.set(2005, {
      id: 2005,
      cpr: '0505305555',
      firstName: 'Jens',
      lastName: 'Krog',
      fullName: 'Jens Krog',
      conditions: [],
      list: 'Tværfagligt samarbejdsmøde – notater og aftaler',
    });
    h.nexus.addNote({
      id: 6005,
      citizenId: 2005,
      formTitle: FORM,
      tags: [TAG],
      createDate: '2026-11-29T12:00:00+01:00',
      observationTimestamp: `${D}T00:00:00+01:00`,
      items: { Forløbstype: 'Rehabilitering (§ 83a)', Prioritet: '0' },
    });
    const summary = await h.cycle();
    expect([6005, 6001, 6002, 6003].map((id) => h.nexus.notes.get(id)!.items.Tidspunkt)).toEqual(['10:00', '10:10', '10:20', '11:00']);
    expect(summary.times).toEqual({ changed: 3, unchanged: 1, cleared: 0 });
    const newTasks = h.nexus.tasks
      .slice(4)
      .map((t) => t.organisationName)
      .sort();
    expect(newTasks).toEqual(['Koordinerende rolle', 'Træning og Rehabilitering', 'Visitator']); // Demensspecialister: 6003 still at 11:00
    expect(h.medcom.letters.size).toBe(2); // Karen's GP is told the new time (10:10)
    expect([...h.medcom.letters.keys()]).toContain(`agenda-gp-invite:6001:${D}:10:10`);
    expect(messages(h.outbox)).toHaveLength(1); // the meeting's time did not change
  });

  it('a note that leaves the agenda gets the time tsm-bridge wrote removed; a time a person changed is kept', async () => {
    const h = harness();
    await h.cycle();
    // Karen (6001) and Poul (6002) each get a newer note before the cut-off: their first notes become DUPLICATE_NOTE.
    h.nexus.addNote({
      id: 6011,
      citizenId: 2001,
      formTitle: FORM,
      tags: [TAG],
      createDate: '2026-11-29T12:00:00+01:00',
      observationTimestamp: `${D}T00:00:00+01:00`,
      items: { Forløbstype: 'Rehabilitering (§ 83a)', Prioritet: '1' },
    });
    h.nexus.addNote({
      id: 6012,
      citizenId: 2002,
      formTitle: FORM,
      tags: [TAG],
      createDate: '2026-11-29T12:00:00+01:00',
      observationTimestamp: `${D}T00:00:00+01:00`,
      items: { Forløbstype: 'Rehabilitering (§ 83a)', Prioritet: '2' },
    });
    h.nexus.notes.get(6002)!.items.Tidspunkt = '09:45'; // a coordinator's own change
    const summary = await h.cycle();

    expect([6011, 6012, 6001, 6002].map((id) => h.nexus.notes.get(id)!.items.Tidspunkt)).toEqual(['10:00', '10:10', '', '09:45']);
    expect(summary.times).toEqual({ changed: 2, unchanged: 1, cleared: 1 });
    const cleared = (await h.audit.query({ noteId: 6001 })).filter((r) => r.action === 'nexus.time');
    expect(cleared.map((r) => r.externalIds?.time)).toEqual(['10:00', '']);
    expect(cleared[1].reason).toBe('left the agenda; the time 10:00 was removed');

    // The removal is remembered: the next publication touches neither note.
    const before = versions(h);
    expect((await h.cycle()).times).toEqual({ changed: 0, unchanged: 3, cleared: 0 });
    expect(versions(h)).toEqual(before);
  });

  it('AGENDA_AUTO_ATTACH: attaches the missing organisations (audited), invites them and stays quiet on the next run', async () => {
    const h = harness();
    const summary = await h.cycle({ settings: { autoAttach: true, taskType: 'Opgave' } });
    expect(summary.attached).toBe(2);
    expect((await h.nexus.getRelations(2002)).map((r) => r.organisation.name).sort()).toEqual(['Træning og Rehabilitering', 'Visitator']);
    expect((await h.nexus.getRelations(2003)).map((r) => r.organisation.name).sort()).toEqual([
      'Demensspecialister',
      'Sygeplejersker',
      'Visitator',
    ]);
    const byOrg = new Map(h.nexus.tasks.map((t) => [t.organisationName, t]));
    expect(byOrg.get('Visitator')!.description).toContain('Poul Berg');
    expect(byOrg.get('Sygeplejersker')!.description).toContain('Inge Lund');
    const coordinator = byOrg.get('Koordinerende rolle')!.description;
    expect(coordinator).not.toContain('Manglende organisationer');
    expect(coordinator).toContain('Tilknyttet automatisk');
    const attaches = (await h.audit.query({ day: new Date().toISOString().slice(0, 10) })).filter((r) => r.action === 'nexus.attach');
    expect(attaches.map((a) => a.externalIds?.organisation).sort()).toEqual(['Sygeplejersker', 'Visitator']);

    const tasks = h.nexus.tasks.length;
    // The same (pre-attach) snapshot again: the ledger knows the attachments, nothing is repeated.
    const same = await h
      .publisher({ settings: { autoAttach: true, taskType: 'Opgave' } })
      .publish(h.solhoej, (await h.store.load('solhoej', D))!.agenda);
    expect(same).toMatchObject({ attached: 0, tasks: { created: 0, existing: tasks } });
    // A fresh collect sees the relations in Nexus: no warnings left, same invitations.
    const second = await h.cycle({ settings: { autoAttach: true, taskType: 'Opgave' } });
    expect(second.attached).toBe(0);
    expect(h.nexus.tasks).toHaveLength(tasks);
    expect(h.nexus.relations.filter((r) => r.citizenId === 2002 || r.citizenId === 2003)).toHaveLength(5);
  });

  it('a task Nexus refuses for good does not stop the rest; the job then fails with the code', async () => {
    const h = harness();
    h.nexus.refuseTasksFor.add('Demensspecialister');
    await expect(h.cycle()).rejects.toMatchObject({
      code: 'AGENDA_PUBLISH_INCOMPLETE',
      errorClass: 'permanent',
      message: expect.stringContaining('task:NEXUS_BAD_REQUEST'),
    });
    expect(h.nexus.tasks.map((t) => t.organisationName).sort()).toEqual(['Koordinerende rolle', 'Træning og Rehabilitering', 'Visitator']);
    expect(h.nexus.notes.get(6003)!.items.Tidspunkt).toBe('11:00');
    expect(messages(h.outbox)).toHaveLength(1);
  });

  it('a GP that cannot be found is reported to the coordinator instead of failing the meeting', async () => {
    const h = harness();
    const summary = await h.cycle({ gpDirectory: new FakeDirectory(new Set(['0101301111'])) });
    expect(summary.gp).toEqual({ sent: 0, existing: 0, failed: 1 });
    expect(h.medcom.letters.size).toBe(0);
    expect(h.nexus.tasks.find((t) => t.organisationName === 'Koordinerende rolle')!.description).toContain(
      '- Karen Holm (notat 6001): GP_UNKNOWN',
    );
  });

  it('an empty meeting with no note at all: no invitation, the notice goes by mail to the unit mailboxes, once (issue 17)', async () => {
    const h = harness();
    const publish = async () =>
      h.publisher().publish(h.solhoej, (await h.collect.collect('solhoej', '2026-12-17', { store: true })).agenda);
    const summary = await publish();
    expect(summary).toMatchObject({
      times: { changed: 0, unchanged: 0 },
      tasks: { created: 0, existing: 0 },
      teams: 'none',
      empty: 'mail',
    });
    expect(h.nexus.tasks).toEqual([]); // a Nexus task needs a note or a citizen to hang on
    expect(messages(h.outbox)).toEqual(['agenda-empty.solhoej.2026-12-17']);
    const mail = JSON.parse(readFileSync(path.join(h.outbox, 'agenda-empty.solhoej.2026-12-17', 'message.json'), 'utf8'));
    expect(mail.subject).toContain('ingen borgere på dagsordenen');
    await publish(); // the morning publication: nothing twice
    expect(messages(h.outbox)).toHaveLength(1);
  });

  it('an empty agenda with excluded notes: the coordinator gets a short Nexus task "ingen borgere på dagsordenen" (issue 17)', async () => {
    const h = harness();
    // Only the late note is left: nobody on the agenda.
    for (const id of [6001, 6002, 6003]) h.nexus.notes.delete(id);
    const summary = await h.cycle();
    expect(summary).toMatchObject({ teams: 'none', empty: 'task', tasks: { created: 1, existing: 0 } });
    expect(h.nexus.tasks).toHaveLength(1);
    expect(h.nexus.tasks[0]).toMatchObject({
      organisationName: 'Koordinerende rolle',
      title: expect.stringMatching(/^Tværfagligt samarbejdsmøde 03\.12\.2026: ingen borgere på dagsordenen \[/),
    });
    expect(h.nexus.tasks[0].description).toMatch(/^Der er ingen borgere på dagsordenen til /);
    expect(h.nexus.tasks[0].description).toContain('For sent oprettede notater');
    expect(messages(h.outbox)).toEqual([]);
    await h.cycle();
    expect(h.nexus.tasks).toHaveLength(1);
  });

  describe("issue 17: the coordinator's process", () => {
    it("a coordinator's time set between two publications is unchanged after both, and the tasks show it", async () => {
      const h = harness();
      await h.cycle();
      // The coordinator moves Poul (6002) from the proposed 10:10 to 10:45 in Nexus, on and off the grid alike.
      const poul = h.nexus.notes.get(6002)!;
      Object.assign(poul, { items: { ...poul.items, Tidspunkt: '10:45' }, version: poul.version + 1 });
      const setTime = jest.spyOn(h.nexus, 'setNoteTime');

      for (let run = 0; run < 2; run++) {
        const { agenda } = await h.collect.collect('solhoej', D, { store: true });
        expect(agenda.items.map((i) => [i.noteId, i.start, i.timeSetBy])).toEqual([
          [6001, '10:00', 'tsm-bridge'],
          [6002, '10:45', 'coordinator'],
          [6003, '11:00', 'tsm-bridge'],
        ]);
        await h.publisher().publish(h.solhoej, agenda);
        expect(h.nexus.notes.get(6002)!.items.Tidspunkt).toBe('10:45');
      }
      expect(setTime.mock.calls.map(([noteId]) => noteId)).not.toContain(6002);
      const training = h.nexus.tasks.filter((t) => t.organisationName === 'Træning og Rehabilitering').pop()!;
      expect(training.description).toContain('- 10:45–10:55 Poul Berg, rehabilitering (§ 83a) (notat 6002)');
      const coordinator = h.nexus.tasks.filter((t) => t.organisationName === 'Koordinerende rolle').pop()!;
      expect(coordinator.description).toContain('- 10:45 Poul Berg: Visitator');
    });

    it('a note locked before the meeting keeps its place, gets no write, and the rest publishes', async () => {
      const h = harness();
      Object.assign(h.nexus.notes.get(6001)!, { locked: true, state: 'Låst' });
      const setTime = jest.spyOn(h.nexus, 'setNoteTime');
      const summary = await h.cycle();
      expect(setTime.mock.calls.map(([noteId]) => noteId).sort()).toEqual([6002, 6003]);
      expect(summary.times).toEqual({ changed: 2, unchanged: 1, cleared: 0 });
      const stored = (await h.store.load('solhoej', D))!.agenda;
      expect(stored.items.map((i) => [i.noteId, i.start, i.warnings])).toEqual([
        [6001, '10:00', ['NOTE_LOCKED']],
        [6002, '10:10', ['MISSING_VISITATOR']],
        [6003, '11:00', ['DEMENTIA_NEEDS_SYGEPLEJERSKER']],
      ]);
      const coordinator = h.nexus.tasks.find((t) => t.organisationName === 'Koordinerende rolle')!;
      expect(coordinator.description).toContain(
        'Notatet er allerede låst (bevarer sin plads; tidspunktet kunne ikke skrives på notatet):\n- 10:00 Karen Holm (notat 6001)',
      );
    });

    it('both seed spellings of the tag are taken; a note dated the day before is reported to the coordinator', async () => {
      const h = harness();
      h.nexus.addNote({
        id: 6021,
        citizenId: 2004,
        formTitle: FORM,
        tags: ['ÆS- Tværfagligt samarbejdsmøde'],
        createDate: '2026-11-25T12:00:00+01:00',
        observationTimestamp: `${D}T00:00:00+01:00`,
        items: { Forløbstype: 'Kompleks', Prioritet: '2' },
      });
      h.nexus.addNote({
        id: 6022,
        citizenId: 2002,
        formTitle: FORM,
        tags: [TAG],
        createDate: '2026-11-18T12:00:00+01:00',
        observationTimestamp: '2026-12-02T00:00:00+01:00',
        items: {},
      });
      await h.cycle();
      const stored = (await h.store.load('solhoej', D))!.agenda;
      expect(stored.items.find((i) => i.noteId === 6021)).toMatchObject({ start: '11:10', warnings: ['TAG_VARIANT'] });
      expect(stored.excluded).toContainEqual({
        noteId: 6022,
        citizenId: 2002,
        reason: 'NOT_ON_MEETING_DATE',
        observationDate: '2026-12-02',
      });
      const coordinator = h.nexus.tasks.find((t) => t.organisationName === 'Koordinerende rolle')!;
      expect(coordinator.description).toContain('- Poul Berg (notat 6022, observationsdato 02.12.2026)');
      expect(coordinator.description).toContain(
        'Tagget med en anden stavemåde af tagget (alligevel taget med på dagsordenen):\n- 11:10 Erik Dahl (notat 6021)',
      );
    });

    it('AGENDA_AUTO_ATTACH adds the first nurses organisation Nexus has, and never a second', async () => {
      const h = harness();
      const attach = jest.spyOn(h.nexus, 'attachOrganisation');
      const publish = (agenda: Awaited<ReturnType<CollectAgenda['collect']>>['agenda']) =>
        h.publisher({ settings: { autoAttach: true, taskType: 'Opgave' } }).publish(h.solhoej, agenda);
      // The seed has only "Sygeplejersker": the seed name "Sygeplejersker/sundhedslovgivning" is not in this Nexus.
      await publish((await h.collect.collect('solhoej', D, { store: true })).agenda);
      expect(attach.mock.calls.filter(([citizen]) => citizen === 2003).map(([, org]) => org)).toEqual(['Sygeplejersker']);
      h.nexus.organisations.push({ id: 19, name: 'Sygeplejersker/sundhedslovgivning' });
      await publish((await h.collect.collect('solhoej', D, { store: true })).agenda);
      expect(
        h.nexus.relations
          .filter((r) => r.citizenId === 2003)
          .map((r) => r.organisation.name)
          .sort(),
      ).toEqual(['Demensspecialister', 'Sygeplejersker', 'Visitator']);
    });
  });

  describe('AgendaProcessor (the job handlers)', () => {
    const ctx = { log: { info: () => undefined } } as unknown as JobContext;
    function processorAt(h: Harness, nowIso: string) {
      const enqueued: Array<{ name: string; payload: unknown; jobId?: string }> = [];
      const gateway = {
        enqueue: async (name: string, payload: unknown, o: { jobId?: string }) => void enqueued.push({ name, payload, jobId: o.jobId }),
      } as unknown as QueueGateway;
      const planner = new AgendaPlanner(gateway, h.store, districts, '5 0 * * *', () => new Date(nowIso));
      return { processor: new AgendaProcessor(h.collect, h.publisher(), h.store, planner, gateway), enqueued };
    }

    it('collect stores the agenda, marks the phase collected and enqueues its publication under the fingerprint', async () => {
      const h = harness();
      const { processor, enqueued } = processorAt(h, '2026-11-30T15:00:00Z');
      const payload = { districtId: 'solhoej', meetingDate: D, phase: 'cutoff' as const };
      const r = await processor.collect(payload, ctx);
      const stored = (await h.store.load('solhoej', D))!;
      expect(r).toEqual({ items: 3, excluded: 1, fingerprint: stored.fingerprint });
      expect(await h.store.wasCollected('solhoej', D, 'cutoff')).toBe(true);
      expect(enqueued).toEqual([{ name: 'agenda.publish', payload, jobId: `agenda-publish-solhoej-${D}-${stored.fingerprint}` }]);
      expect(await processor.publish(payload)).toMatchObject({ times: { changed: 3 } });
    });

    it('a scheduled collect firing after the meeting began does nothing', async () => {
      const h = harness();
      const { processor, enqueued } = processorAt(h, '2026-12-03T09:05:00Z');
      expect(await processor.collect({ districtId: 'solhoej', meetingDate: D, phase: 'morning' }, ctx)).toEqual({
        skipped: 'meeting already began',
      });
      expect(h.nexus.meetingQueries).toEqual([]);
      expect(enqueued).toEqual([]);
    });

    it('publish without a collected agenda fails for good (dead letter with the reason)', async () => {
      const h = harness();
      const { processor } = processorAt(h, '2026-11-30T15:00:00Z');
      await expect(processor.publish({ districtId: 'solhoej', meetingDate: D, phase: 'cutoff' })).rejects.toMatchObject({
        code: 'AGENDA_NOT_COLLECTED',
        errorClass: 'permanent',
      });
    });
  });
  describe('issue 17: the invitation ends with the agenda, and the after-meeting reminder is planned at publication', () => {
    const ics = (h: Harness, message: string) => {
      const dir = path.join(h.outbox, message);
      return readFileSync(
        path.join(
          dir,
          readdirSync(dir).find((f) => f.endsWith('.ics'))!,
        ),
        'utf8',
      ).replace(/\r\n /g, '');
    };

    it('an agenda that changes its end sends an update of the same calendar entry (same UID, higher SEQUENCE), once', async () => {
      const h = harness();
      await h.cycle();
      expect(ics(h, `teams-invite.solhoej.${D}`)).toContain('SEQUENCE:0');
      // Two more complex citizens: the agenda now ends 11:30.
      for (const [cid, nid] of [
        [2006, 6006],
        [2007, 6007],
      ]) {
        h.nexus.relations.push({ id: nid, citizenId: cid, organisation: { id: 10, name: 'Visitator' } });
        h.nexus.citizens.set(cid, {
          id: cid,
          cpr: '0606306666',
          firstName: 'A',
          lastName: 'B',
          fullName: 'A B',
          conditions: [],
          list: 'Tværfagligt samarbejdsmøde – notater og aftaler',
        });
        h.nexus.addNote({
          id: nid,
          citizenId: cid,
          formTitle: FORM,
          tags: [TAG],
          createDate: '2026-11-29T12:00:00+01:00',
          observationTimestamp: `${D}T00:00:00+01:00`,
          items: { Forløbstype: 'Kompleks', Prioritet: '5' },
        });
      }
      await h.cycle({ now: () => new Date('2026-12-03T06:00:00Z') });
      expect(messages(h.outbox).sort()).toEqual([`teams-invite.solhoej.${D}`, `teams-invite.solhoej.${D}.1130`]);
      const update = ics(h, `teams-invite.solhoej.${D}.1130`);
      expect(update).toContain('DTEND;TZID=Europe/Copenhagen:20261203T113000');
      expect(update).toContain(`UID:tvaerfagligt-solhoej-${D}@tsm-bridge`);
      expect(Number(/SEQUENCE:(\d+)/.exec(update)![1])).toBeGreaterThan(0);
      await h.cycle({ now: () => new Date('2026-12-03T06:30:00Z') });
      expect(messages(h.outbox)).toHaveLength(2);
    });

    it('plans the first unlocked-notes reminder one working day after the meeting at its start, under one job id', async () => {
      const h = harness();
      const enqueued: Array<{ name: string; payload: unknown; jobId?: string; delayMs?: number }> = [];
      const queues = {
        enqueue: async (name: string, payload: unknown, o: { jobId?: string; delayMs?: number } = {}) => (
          enqueued.push({ name, payload, ...o }),
          o.jobId ?? ''
        ),
      };
      const now = () => new Date('2026-11-30T15:00:00Z');
      const scheduleFollowUp = unlockedNotesFollowUp(queues as never, new WorkingDayCalendar(), { afterWorkingDays: 1, maxTasks: 5 }, now);
      await h.cycle({ scheduleFollowUp, now });
      await h.cycle({ scheduleFollowUp, now }); // the morning publication asks again: same job id, a no-op in BullMQ
      expect(enqueued).toEqual(
        [1, 2].map(() => ({
          name: 'after-meeting.unlocked-notes',
          payload: { districtId: 'solhoej', meetingDate: D, round: 1 },
          jobId: `after-meeting-unlocked-solhoej-${D}-1`,
          delayMs: Date.parse('2026-12-04T09:00:00Z') - now().getTime(),
        })),
      );
      // An empty agenda has nothing to remind of.
      await h
        .publisher({ scheduleFollowUp })
        .publish(h.solhoej, (await h.collect.collect('solhoej', '2026-12-17', { store: true })).agenda);
      expect(enqueued).toHaveLength(2);
    });
  });
});
