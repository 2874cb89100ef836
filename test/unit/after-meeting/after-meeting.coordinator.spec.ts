import {
  isUndeliverableReason,
  UNDELIVERABLE_REASONS,
  UndeliverableReason,
  undeliverableLetterJobId,
  undeliverableLetterKey,
  undeliverableLetterTask,
  unlockedNotesJobId,
  unlockedNotesTask,
  unlockedTaskDate,
  unlockedTaskInstant,
} from '../../../src/domain/after-meeting.coordinator';
import { followUpTasks } from '../../../src/domain/after-meeting.rules';
import { coordinatorTask, coordinatorIssues, emptyAgendaMail } from '../../../src/domain/agenda-messages';
import { DEFAULT_OMITTED_LABELS, noteToGpLetterContent } from '../../../src/domain/gp-letter.content';
import { buildMeetingInviteIcs } from '../../../src/domain/meeting-invite.ics';
import { WorkingDayCalendar } from '../../../src/domain/working-days';
import { loadConfig } from '../../../src/config/load-config';

/** Issue 17: what the coordinator hears after the meeting, and the other follow-up rules, as pure rules. */
const calendar = new WorkingDayCalendar();
const settings = { afterWorkingDays: 1, maxTasks: 5 };
const orgs = { homeCare: 'Hjemmeplejen', coordinator: 'Koordinerende rolle', visitator: 'Visitator' };

describe('unlocked-notes reminder: when', () => {
  it.each([
    // meeting, round, working day of the reminder
    ['2026-12-03', 1, '2026-12-04'], // Thursday → Friday
    ['2026-12-03', 2, '2026-12-07'], // weekend skipped
    ['2026-12-03', 5, '2026-12-10'], // the last of five
    ['2026-12-23', 1, '2026-12-24'], // juleaftensdag is a working day by law (observance)
    ['2026-12-23', 2, '2026-12-28'], // juledag, 2. juledag, weekend
    ['2027-03-24', 1, '2027-03-30'], // skærtorsdag, langfredag, påske, 2. påskedag
    ['2027-05-05', 1, '2027-05-07'], // Kristi himmelfartsdag
  ])('meeting %s, reminder %i: %s', (meeting, round, expected) => {
    expect(unlockedTaskDate(meeting, round, settings, calendar)).toBe(expected);
  });

  it('is at the meeting start time in Copenhagen on both sides of DST, configurable in working days', () => {
    expect(unlockedTaskInstant('10:00', '2026-12-03', 1, settings, calendar).toISOString()).toBe('2026-12-04T09:00:00.000Z');
    expect(unlockedTaskInstant('10:00', '2026-06-04', 1, settings, calendar).toISOString()).toBe('2026-06-05T08:00:00.000Z');
    expect(unlockedTaskDate('2026-12-03', 1, { afterWorkingDays: 3, maxTasks: 5 }, calendar)).toBe('2026-12-08');
    expect(() => unlockedTaskDate('2026-12-03', 0, settings, calendar)).toThrow(RangeError);
  });

  it('job ids are deterministic per meeting and round, without ":"', () => {
    expect(unlockedNotesJobId('solhoej', '2026-12-03', 2)).toBe('after-meeting-unlocked-solhoej-2026-12-03-2');
    expect(unlockedNotesJobId('solhoej', '2026-12-03', 2)).not.toContain(':');
  });

  it('the settings default to one working day and at most five tasks', () => {
    const c = loadConfig({});
    expect([c.AFTER_MEETING_UNLOCKED_TASK_DAYS, c.AFTER_MEETING_UNLOCKED_TASK_MAX]).toEqual([1, 5]);
    expect(() => loadConfig({ AFTER_MEETING_UNLOCKED_TASK_DAYS: '0' })).toThrow(/AFTER_MEETING_UNLOCKED_TASK_DAYS/);
  });
});

describe('unlocked-notes reminder: what', () => {
  const notes = [
    { noteId: 5003, citizenId: 1003, start: '11:00' },
    { noteId: 5001, citizenId: 1001, start: '10:00' },
  ];
  const names = new Map([[1001, 'Karen Holm']]);

  it.each([
    [1, 'Påmindelse 1 af højst 5'],
    [4, 'Påmindelse 4 af højst 5'],
    [5, 'Sidste påmindelse (5 af 5)'],
  ])('round %i says "%s", lists the notes by time with Nexus references, and the title carries the round', (round, says) => {
    const t = unlockedNotesTask('2026-12-03', notes, names, round, 5);
    expect(t.title).toBe(`Tværfagligt samarbejdsmøde 03.12.2026: notater der ikke er låst (påmindelse ${round})`);
    expect(t.description).toContain('endnu ikke gemt som låst');
    expect(t.description).toContain(says);
    expect(t.description.indexOf('- 10:00 Karen Holm (notat 5001)')).toBeLessThan(
      t.description.indexOf('- 11:00 borger 1003 (notat 5003)'),
    );
  });
});

describe('undeliverable GP letter → coordinator task', () => {
  const reasons = Object.keys(UNDELIVERABLE_REASONS) as UndeliverableReason[];

  it.each(reasons.map((r) => [r]))('%s: a Danish reason, once per letter', (reason) => {
    const letter = {
      noteId: 5001,
      noteVersion: 2,
      kind: 'meeting-note' as const,
      reason,
      letterId: reason.startsWith('MEDCOM') ? 'L-abc' : undefined,
    };
    const t = undeliverableLetterTask('2026-12-03', letter);
    expect(t.title).toBe('Tværfagligt samarbejdsmøde 03.12.2026: brev til egen læge kunne ikke leveres (notat 5001 v2)');
    expect(t.description).toContain(`Årsag (${reason}): ${UNDELIVERABLE_REASONS[reason]}`);
    expect(t.description).toMatch(/Kontakt lægepraksis/);
    expect(t.description).not.toMatch(/\d{6}-?\d{4}/);
    expect(undeliverableLetterKey(letter)).toBe(letter.letterId ? 'letter-L-abc' : 'note-5001-v2-meeting-note');
    expect(undeliverableLetterJobId(letter)).not.toContain(':');
  });

  it('names the refusal code of a negative receipt and the invitation kind', () => {
    const t = undeliverableLetterTask('2026-12-03', {
      noteId: 5001,
      noteVersion: 1,
      kind: 'meeting-invitation',
      reason: 'MEDCOM_REJECTED',
      letterId: 'L-1',
      refuseCode: 'F1',
    });
    expect(t.title).toContain('invitation til egen læge kunne ikke leveres');
    expect(t.description).toContain('Årsag (MEDCOM_REJECTED, afvisningskode F1)');
    expect(t.description).toContain('MedCom brev-id: L-1');
  });

  it.each([
    ['GP_UNKNOWN', true],
    ['GP_NO_FORMAT', true],
    ['MEDCOM_REJECTED', true],
    ['MEDCOM_NO_RECEIPT', true],
    ['NAME_NOT_REPRESENTABLE', true],
    ['NEXUS_TIMEOUT', false],
    ['MEDCOM_CONTENT_GONE', false],
    ['toString', false],
    [undefined, false],
  ])('%s is an undeliverable-letter reason: %s', (code, expected) => {
    expect(isUndeliverableReason(code)).toBe(expected);
  });
});

describe('attach organisation: to the newly attached organisation; unknown names to the coordinator', () => {
  const known = new Map([
    ['demensspecialister', 'Demensspecialister'],
    ['sygeplejersker', 'Sygeplejersker'],
  ]);
  const resolve = (n: string) => known.get(n.trim().toLowerCase()) ?? null;
  const tasksFor = (names: string[]) =>
    followUpTasks(
      { noteId: 5001, noteVersion: 2 },
      '2026-12-03',
      { sendToGp: false, attachOrganisations: names, revisitation: false },
      orgs,
      7,
      resolve,
    ).map((t) => [t.kind, t.organisationName]);

  it.each([
    ['one known', ['Demensspecialister'], [['attach-organisations', 'Demensspecialister']]],
    ['Nexus spelling wins', ['demensspecialister'], [['attach-organisations', 'Demensspecialister']]],
    [
      'two known, each its own task',
      ['Sygeplejersker', 'Demensspecialister'],
      [
        ['attach-organisations', 'Demensspecialister'],
        ['attach-organisations', 'Sygeplejersker'],
      ],
    ],
    ["unknown (the review's example)", ['Hjælpemiddelterapeuter'], [['unknown-organisation', 'Koordinerende rolle']]],
    [
      'known and unknown',
      ['Hjælpemiddelterapeuter', 'Sygeplejersker', 'Rehab-team'],
      [
        ['attach-organisations', 'Sygeplejersker'],
        ['unknown-organisation', 'Koordinerende rolle'],
      ],
    ],
  ])('%s', (_what, names, expected) => {
    expect(tasksFor(names)).toEqual(expected);
  });

  it("the coordinator is told the unknown names with UNKNOWN_ORGANISATION in Danish; the organisation gets the seed's instruction", () => {
    const [attach, unknown] = followUpTasks(
      { noteId: 5001, noteVersion: 2 },
      '2026-12-03',
      { sendToGp: false, attachOrganisations: ['Hjælpemiddelterapeuter', 'Sygeplejersker'], revisitation: false },
      orgs,
      7,
      resolve,
    );
    expect(attach.title).toBe('Tværfagligt samarbejdsmøde 2026-12-03: tilknyt organisation Sygeplejersker (notat 5001 v2)');
    expect(attach.description).toContain('skal tilknyttes Sygeplejersker');
    expect(unknown.title).toBe('Tværfagligt samarbejdsmøde 2026-12-03: ukendt organisation (notat 5001 v2)');
    expect(unknown.description).toContain('ikke findes i Nexus (UNKNOWN_ORGANISATION)');
    expect(unknown.description).toContain('- "Hjælpemiddelterapeuter"');
    expect(unknown.description).not.toContain('Sygeplejersker');
  });
});

describe('the rest of issue 17 point 8', () => {
  it.each([
    ['runs over', 130, '20261203T121000'],
    ['ends early', 80, '20261203T112000'],
    ['the nominal two hours', 120, '20261203T120000'],
  ])('the invitation ends when the agenda does (%s)', (_w, durationMinutes, end) => {
    const ics = buildMeetingInviteIcs({
      districtId: 'solhoej',
      districtName: 'Solhøj',
      meetingDate: '2026-12-03',
      startTime: '10:00',
      durationMinutes,
      teamsUrl: 'https://teams.example/x',
      stamp: new Date('2026-11-30T15:00:00Z'),
    });
    expect(ics).toContain(`DTEND;TZID=Europe/Copenhagen:${end}`);
    expect(ics).toContain('SEQUENCE:0');
  });

  it('an empty agenda: the coordinator\'s task and the mail say "ingen borgere på dagsordenen"', () => {
    const m = { districtName: 'Solhøj', meetingDate: '2026-12-17', startTime: '10:00', teamsUrl: 'https://teams.example/x' };
    const empty = { meetingDate: '2026-12-17', items: [], excluded: [], warnings: [] };
    const t = coordinatorTask(
      m,
      coordinatorIssues(empty, { visitator: 'Visitator', dementia: 'Demensspecialister', nurses: ['Sygeplejersker'] } as never),
      new Map(),
      'abc',
      [],
      { empty: true },
    );
    expect(t.title).toBe('Tværfagligt samarbejdsmøde 17.12.2026: ingen borgere på dagsordenen [abc]');
    expect(t.description).toBe(
      'Der er ingen borgere på dagsordenen til Tværfagligt samarbejdsmøde Solhøj torsdag den 17. december 2026 kl. 10:00; der sendes ingen invitationer.',
    );
    expect(emptyAgendaMail(m).subject).toContain('ingen borgere på dagsordenen');
  });

  const note = {
    id: 5001,
    formTitle: 'Samlet faglig vurdering',
    items: {
      Emne: 'Hoftebrud',
      Vurdering: 'Går bedre med rollator.',
      'Inviter egen læge': 'Ja',
      Revisitation: 'Ja',
      'Tilknyt organisation': 'Demensspecialister',
      'Opgave til hjemmeplejen': 'Øg hjælp til bad',
      Tidspunkt: '10:00',
      Prioritet: '1',
      'Send til egen læge': 'Ja',
      Forløbstype: 'Rehabilitering (§ 83a)',
    },
  };
  it.each(DEFAULT_OMITTED_LABELS.map((l) => [l]))('the GP letter leaves out "%s" by default', (label) => {
    const { text } = noteToGpLetterContent(note, { firstName: 'Karen', lastName: 'Holm' }, '2026-12-03');
    expect(text).not.toContain(`${label}:`);
    expect(text).toContain('Vurdering:\nGår bedre med rollator.');
  });

  it('GP_LETTER_EXCLUDED_ITEMS: the default is the workflow items plus Tidspunkt and Prioritet; a list replaces it', () => {
    expect(loadConfig({}).GP_LETTER_EXCLUDED_ITEMS).toEqual([
      'Send til egen læge',
      'Inviter egen læge',
      'Revisitation',
      'Tilknyt organisation',
      'Opgave til hjemmeplejen',
      'Tidspunkt',
      'Prioritet',
    ]);
    const omit = loadConfig({ GP_LETTER_EXCLUDED_ITEMS: '["Tidspunkt", "Forløbstype"]' }).GP_LETTER_EXCLUDED_ITEMS;
    const { text } = noteToGpLetterContent(note, { firstName: 'Karen', lastName: 'Holm' }, '2026-12-03', { omitLabels: omit });
    expect(text).not.toContain('Forløbstype:');
    expect(text).toContain('Revisitation:\nJa');
    expect(() => loadConfig({ GP_LETTER_EXCLUDED_ITEMS: '[]' })).toThrow(/GP_LETTER_EXCLUDED_ITEMS/);
  });
});
