import { demoConclusion } from '../../../src/demo/demo-meeting';
import { DemoObservations, formatDemoSummary, reconcileDemo } from '../../../src/demo/demo-reconcile';
import { followUpsOf, followUpTasks } from '../../../src/domain/after-meeting.rules';

const labels = {
  sendToGp: 'Send til egen læge',
  homeCareTask: 'Opgave til hjemmeplejen',
  attachOrganisations: 'Tilknyt organisation',
  revisitation: 'Revisitation',
};
const orgs = { homeCare: 'Hjemmeplejen', coordinator: 'Koordinerende rolle', visitator: 'Visitator' };
const date = '2026-12-03';

/** A consistent run over six notes: what the sandboxes would hold if everything went right. */
function goodRun(): DemoObservations {
  const notes = [0, 1, 2, 3, 4, 5].map((i) => ({ id: 5001 + i, version: 4, locked: true, items: demoConclusion(i, labels) }));
  const tasks = notes
    .flatMap((n) => followUpTasks({ noteId: n.id, noteVersion: n.version }, date, followUpsOf(n.items, labels), orgs, 7))
    .map((t, i) => ({
      id: 9000 + i,
      on: { noteId: Number(/notat (\d+)/.exec(t.title)![1]) },
      title: t.title,
      organisationName: t.organisationName,
    }));
  const lettersByNote: DemoObservations['lettersByNote'] = {};
  for (const n of notes) if (n.items[labels.sendToGp] === 'Ja') lettersByNote[n.id] = { letterId: `L${n.id}`, state: 'acknowledged' };
  const letterIds = Object.values(lettersByNote).map((l) => l!.letterId);
  return {
    districtId: 'solhoej',
    meetingDate: date,
    agenda: { items: 6, excluded: { LATE_NOTE: 1 }, gpInvitations: 1 },
    invitationLetterIds: ['INV1'],
    concluded: notes.map((n) => n.id),
    nexus: {
      notes: [...notes, { id: 6000, version: 1, locked: false, items: {} }],
      tasks: [...tasks, { id: 1, on: { noteId: 5001 }, title: 'Invitation til møde', organisationName: 'Visitator' }],
    },
    edoc: {
      documents: 6,
      duplicates: 0,
      titles: notes.map((n) => `Tværfagligt samarbejdsmøde ${date} - notat ${n.id} v4 [tsm:nexus-note-${n.id}-v4.meeting-note.abcd1234]`),
    },
    vans: { envelopesPerLetter: Object.fromEntries([...letterIds, 'INV1'].map((id) => [id, 1])), positiveReceipts: letterIds.length + 1 },
    lettersByNote,
    notesDone: 6,
    deadLetters: [],
    elapsedSeconds: 4.2,
  };
}

describe('demo reconciliation', () => {
  it('reconciles a run where every side effect happened once', () => {
    const s = reconcileDemo(goodRun(), labels, orgs, 7);
    expect(s.problems).toEqual([]);
    expect(s).toMatchObject({
      reconciled: true,
      agendaItems: 6,
      excluded: 1,
      notesLocked: 6,
      documentsFiled: 6,
      lettersExpected: 3,
      lettersSent: 3,
      gpInvitations: 1,
      lettersAcknowledged: 3,
      tasksExpected: s.tasksCreated,
      deadLetters: 0,
    });
    expect(s.tasksByKind).toEqual({ homecare: 2, 'attach-organisations': 5, 'unknown-organisation': 0, revisitation: 1 });
    expect(formatDemoSummary(s)).toContain('RECONCILED');
  });

  it('finds a duplicate eDoc document', () => {
    const o = goodRun();
    o.edoc.titles.push(o.edoc.titles[2]);
    o.edoc.documents = 7;
    o.edoc.duplicates = 1;
    const s = reconcileDemo(o, labels, orgs, 7);
    expect(s.reconciled).toBe(false);
    expect(s.problems).toEqual(
      expect.arrayContaining(['note 5003 v4: 2 eDoc documents (expected 1)', 'eDoc reports 1 duplicate documents']),
    );
  });

  it('finds a second letter id for a note and an unacknowledged letter', () => {
    const o = goodRun();
    o.vans.envelopesPerLetter['L-other'] = 1;
    o.vans.envelopesPerLetter.L5003 = 3; // two resends of the same letter id are fine
    o.lettersByNote[5001]!.state = 'sent';
    const s = reconcileDemo(o, labels, orgs, 7);
    expect(s.problems).toEqual([
      'note 5001: letter L5001 not acknowledged (sent)',
      '1 letter ids at VANS belong to no note (a second letter id for a note?)',
    ]);
    expect(s.letterResends).toBe(2);
  });

  it('finds a missing letter, a task created twice and a dead letter', () => {
    const o = goodRun();
    delete o.lettersByNote[5003];
    o.nexus.tasks.push({ ...o.nexus.tasks[0], id: 99999 });
    o.deadLetters.push({ id: 'nexus/note-5002-v4-tasks', name: 'nexus.note-tasks', reason: '[NEXUS_404] organisation not found' });
    const s = reconcileDemo(o, labels, orgs, 7);
    expect(s.problems).toEqual(
      expect.arrayContaining([
        'note 5003: no GP letter although "Send til egen læge" is Ja',
        expect.stringMatching(/^task "Tværfagligt samarbejdsmøde 2026-12-03: opgave til hjemmeplejen \(notat 5001 v4\)": 2 in Nexus/),
        'dead letter nexus/note-5002-v4-tasks (nexus.note-tasks): [NEXUS_404] organisation not found',
      ]),
    );
    expect(formatDemoSummary(s)).toContain('NOT RECONCILED');
  });

  it('does not pass an unfinished run', () => {
    const o = goodRun();
    o.notesDone = 4;
    o.nexus.notes[0].locked = false;
    const s = reconcileDemo(o, labels, orgs, 7);
    expect(s.problems).toEqual(
      expect.arrayContaining(['1 concluded notes are not locked in Nexus', 'after-meeting done for 4 of 5 locked notes']),
    );
  });
});
