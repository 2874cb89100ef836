import { ChaosObservations, reconcileChaos, ReconcileSettings } from '../../chaos/chaos-reconcile';

/** The chaos verdict must catch every way a run can go wrong, from the sandboxes' own records. */
const settings: ReconcileSettings = {
  labels: {
    sendToGp: 'Send til egen læge',
    homeCareTask: 'Opgave til hjemmeplejen',
    attachOrganisations: 'Tilknyt organisation',
    revisitation: 'Revisitation',
  },
  organisations: () => ({ homeCare: 'Hjemmeplejen', coordinator: 'Koordinerende rolle', visitator: 'Visitator' }),
  taskDueDays: 7,
};
const D = '2026-12-03';
const cpr = (n: number) => `01019${n}1234`.slice(0, 10);

/** Note 1 asks for a letter and a home-care task; note 2 for nothing but the filing. Everything happened once. */
function clean(): ChaosObservations {
  return {
    concluded: [
      { noteId: 1, citizenCpr: cpr(1), districtId: 'solhoej', meetingDate: D },
      { noteId: 2, citizenCpr: cpr(2), districtId: 'nordvang', meetingDate: D },
    ],
    nexus: {
      notes: [
        { id: 1, version: 2, locked: true, items: { 'Send til egen læge': 'Ja', 'Opgave til hjemmeplejen': 'Bad 2 gange ugentligt' } },
        { id: 2, version: 2, locked: true, items: { 'Send til egen læge': 'Nej' } },
      ],
      tasks: [{ title: `Tværfagligt samarbejdsmøde ${D}: opgave til hjemmeplejen (notat 1 v2)`, organisationName: 'Hjemmeplejen' }],
    },
    edoc: {
      titles: [
        `Tværfagligt samarbejdsmøde ${D} - notat 1 v2 [tsm:nexus-note-1-v2.meeting-note.abcd1234]`,
        `Tværfagligt samarbejdsmøde ${D} - notat 2 v2 [tsm:nexus-note-2-v2.meeting-note.0badcafe]`,
      ],
      duplicates: 0,
    },
    vans: {
      messages: [
        { file: 'a.xml', envelopeId: 'E1', letterId: 'L1', cpr: cpr(1) },
        { file: 'b.xml', envelopeId: 'E2', letterId: 'L1', cpr: cpr(1) },
      ],
      unreadable: [],
      receiptsDropped: 1,
      receiptsDuplicated: 0,
      positiveReceipts: 1,
    },
    status: { 1: { state: 'done' }, 2: { state: 'done' } },
    deadLetters: [],
    chaos: { kills: 10, redisRestarts: 1, requiredKills: 10, requiredRedisRestarts: 1 },
  };
}

describe('reconcileChaos', () => {
  it('a clean run: everything done once, the resend counted, no violations', () => {
    const f = reconcileChaos(clean(), settings);
    expect(f).toMatchObject({
      notesConcluded: 2,
      notesDone: 2,
      lost: 0,
      duplicates: 0,
      resends: 1,
      lettersExpected: 1,
      tasksExpected: 1,
      tasksCreated: 1,
      edocDocumentsPerNote: { 1: 2 },
      letterIdsPerNote: { 1: 1 },
    });
    expect(f.violations).toEqual([]);
  });

  it('a second eDoc document for a note version is a duplicate', () => {
    const o = clean();
    o.edoc.titles.push(`Tværfagligt samarbejdsmøde ${D} - notat 1 v2 [tsm:nexus-note-1-v2.meeting-note.ffff0000]`);
    const f = reconcileChaos(o, settings);
    expect(f.duplicates).toBe(1);
    expect(f.edocDocumentsPerNote).toEqual({ 1: 1, 2: 1 });
    expect(f.violations.join('\n')).toMatch(/note 1 v2: duplicate side effect: 2 eDoc documents/);
  });

  it('two letter ids for one citizen are a duplicate letter, whatever tsm-bridge believes', () => {
    const o = clean();
    o.vans.messages.push({ file: 'c.xml', envelopeId: 'E3', letterId: 'L2', cpr: cpr(1) });
    const f = reconcileChaos(o, settings);
    expect(f.letterIdsPerNote).toEqual({ 2: 1 });
    expect(f.violations.join('\n')).toMatch(/2 distinct MedCom letter ids/);
  });

  it('a letter to the GP of a note that asked for none is a violation', () => {
    const o = clean();
    o.vans.messages.push({ file: 'c.xml', envelopeId: 'E3', letterId: 'L9', cpr: cpr(2) });
    expect(reconcileChaos(o, settings).violations.join('\n')).toMatch(
      /note 2 v2: duplicate side effect: 1 MedCom letters although none was asked for/,
    );
  });

  it('a task created twice is a duplicate, a missing task with no dead letter is lost', () => {
    const twice = clean();
    twice.nexus.tasks.push({ ...twice.nexus.tasks[0] });
    expect(reconcileChaos(twice, settings).duplicates).toBe(1);
    const none = clean();
    none.nexus.tasks = [];
    const f = reconcileChaos(none, settings);
    expect(f.lost).toBe(1);
    expect(f.violations.join('\n')).toMatch(/note 1 v2 lost: no Nexus task "homecare"/);
  });

  it('a missing effect explained by a dead letter naming the note is not lost', () => {
    const o = clean();
    o.edoc.titles = o.edoc.titles.slice(1);
    o.status[1] = { state: 'failed', reason: 'step-failed' };
    o.deadLetters = [
      { id: 'edoc/note-1-v2-edoc', name: 'edoc.journal-note', reason: '[EDOC_ERROR_CaseFileClosed] eDoc refused', noteId: 1 },
    ];
    o.plannedDeadLetterCodes = ['EDOC_ERROR_CaseFileClosed'];
    const f = reconcileChaos(o, settings);
    expect(f).toMatchObject({ lost: 0, notesDeadLettered: 1, notesDone: 1 });
    expect(f.violations).toEqual([]);
  });

  it('a letter given up after every send reached VANS (its receipts dropped) is planned; one given up with fewer sends is not', () => {
    const o = clean();
    const letterId = o.vans.messages[0].letterId;
    const dead = {
      id: `medcom/medcom-timeout-${letterId}-2`,
      name: 'medcom.receipt-timeout',
      reason: `[MEDCOM_NO_RECEIPT] no receipt for letter ${letterId} (note 1) after 3 sends`,
    };
    o.deadLetters = [dead];
    o.medcomSendsPerLetter = 3;
    expect(reconcileChaos(o, settings).violations).toEqual([expect.stringMatching(/was not planned/)]); // VANS saw one envelope
    o.vans.messages = [
      ...o.vans.messages,
      { ...o.vans.messages[0], envelopeId: 'E-resend-1' },
      { ...o.vans.messages[0], envelopeId: 'E-resend-2' },
    ];
    expect(reconcileChaos(o, settings).violations).toEqual([]);
  });

  it('a note tsm-bridge still reports pending at the end is lost even if its effects exist', () => {
    const o = clean();
    o.status[2] = { state: 'pending', reason: 'in-progress' };
    expect(reconcileChaos(o, settings).violations).toEqual(['note 2 v2 lost: tsm-bridge reports it pending, and no dead letter names it']);
  });

  it('side effects for notes nobody concluded, unreadable messages and a dead letter without a reason are violations', () => {
    const o = clean();
    o.edoc.titles.push(`Tværfagligt samarbejdsmøde ${D} - notat 9 v2 [tsm:nexus-note-9-v2.meeting-note.12345678]`);
    o.nexus.tasks.push({ title: `Tværfagligt samarbejdsmøde ${D}: revisitation (notat 9 v2)`, organisationName: 'Visitator' });
    o.vans.unreadable = ['broken.xml'];
    o.deadLetters = [{ id: 'nexus/x', name: 'nexus.note-tasks', reason: ' ' }];
    const v = reconcileChaos(o, settings).violations.join('\n');
    expect(v).toMatch(/1 eDoc documents belong to no concluded note/);
    expect(v).toMatch(/1 Nexus follow-up tasks belong to no concluded note/);
    expect(v).toMatch(/1 messages at VANS could not be read back/);
    expect(v).toMatch(/dead letter nexus\/x \(nexus.note-tasks\) has no reason/);
  });

  it('a dead letter the run did not plan fails the run, even when it explains a note (a stall-limit dead letter once passed as OK)', () => {
    const o = clean();
    o.status[1] = { state: 'failed', reason: 'step-failed' };
    o.edoc.titles = o.edoc.titles.slice(1);
    o.deadLetters = [
      { id: 'agenda/collect-solhoej-2026-12-03', name: 'agenda.collect', reason: 'job stalled more than allowable limit' },
      { id: 'edoc/note-1-v2-edoc', name: 'edoc.journal-note', reason: '[NEXUS_HTTP_503] Service Unavailable', noteId: 1 },
    ];
    expect(reconcileChaos(o, settings).violations).toEqual([
      'dead letter agenda/collect-solhoej-2026-12-03 (agenda.collect) was not planned: job stalled more than allowable limit',
      'dead letter edoc/note-1-v2-edoc (edoc.journal-note) was not planned: [NEXUS_HTTP_503] Service Unavailable',
    ]);
  });

  it('a run with fewer kills or Redis restarts than required does not count', () => {
    const o = clean();
    o.chaos = { kills: 9, redisRestarts: 0, requiredKills: 10, requiredRedisRestarts: 1 };
    expect(reconcileChaos(o, settings).violations).toEqual([
      'only 9 worker kills (at least 10 required)',
      'only 0 Redis restarts (1 required)',
    ]);
  });

  it('a concluded note that is not locked in Nexus is a violation', () => {
    const o = clean();
    o.nexus.notes[1].locked = false;
    expect(reconcileChaos(o, settings).violations.join('\n')).toMatch(/note 2 was concluded but is not locked/);
  });
});
