import {
  documentTitle,
  flowJobId,
  followUpsOf,
  followUpTasks,
  isYes,
  letterIdempotencyKey,
  meetingDateOf,
  parseOrganisationList,
} from '../../../src/domain/after-meeting.rules';

const labels = {
  sendToGp: 'Send til egen læge',
  homeCareTask: 'Opgave til hjemmeplejen',
  attachOrganisations: 'Tilknyt organisation',
  revisitation: 'Revisitation',
};
const orgs = { homeCare: 'Hjemmeplejen', coordinator: 'Koordinerende rolle', visitator: 'Visitator' };

describe('after-meeting rules', () => {
  it.each([
    ['Ja', true],
    [' ja ', true],
    ['JA', true],
    ['Nej', false],
    ['', false],
    [undefined, false],
    ['Ja tak', false],
  ])('isYes(%j) is %s', (v, yes) => expect(isYes(v)).toBe(yes));

  it('splits organisation lists on commas, semicolons and line breaks, dropping blanks and repeats', () => {
    expect(parseOrganisationList('Demensspecialister, Sygeplejersker;\nHjælpemiddelterapeuter,, demensspecialister ')).toEqual([
      'Demensspecialister',
      'Sygeplejersker',
      'Hjælpemiddelterapeuter',
    ]);
    expect(parseOrganisationList('  ')).toEqual([]);
    expect(parseOrganisationList(undefined)).toEqual([]);
  });

  it('reads the follow-ups a note asks for', () => {
    expect(
      followUpsOf({ 'Send til egen læge': 'Ja', 'Opgave til hjemmeplejen': '  Øg hjælp til bad  ', Revisitation: 'Nej' }, labels),
    ).toEqual({
      sendToGp: true,
      homeCareTask: 'Øg hjælp til bad',
      attachOrganisations: [],
      revisitation: false,
    });
    expect(followUpsOf({}, labels)).toEqual({ sendToGp: false, attachOrganisations: [], revisitation: false });
  });

  it('takes the meeting date in Copenhagen time, also from Nexus offsets without a colon', () => {
    expect(meetingDateOf('2026-12-03T00:00:00+01:00')).toBe('2026-12-03');
    expect(meetingDateOf('2026-12-02T23:30:00.000+0000')).toBe('2026-12-03');
    expect(meetingDateOf('2026-06-30T22:30:00Z')).toBe('2026-07-01'); // summer time, +02:00
    expect(() => meetingDateOf('not a date')).toThrow(RangeError);
  });

  it('makes one task per follow-up, to the configured organisations, due after the meeting', () => {
    const tasks = followUpTasks(
      { noteId: 5001, noteVersion: 4 },
      '2026-12-03',
      {
        sendToGp: false,
        homeCareTask: 'Øg hjælp til bad',
        attachOrganisations: ['Sygeplejersker', 'Demensspecialister'],
        revisitation: true,
      },
      orgs,
      7,
    );
    expect(tasks.map((t) => [t.kind, t.organisationName, t.dueDate])).toEqual([
      ['homecare', 'Hjemmeplejen', '2026-12-10'],
      ['attach-organisations', 'Demensspecialister', '2026-12-10'],
      ['attach-organisations', 'Sygeplejersker', '2026-12-10'],
      ['revisitation', 'Visitator', '2026-12-10'],
    ]);
    expect(tasks[0].title).toBe('Tværfagligt samarbejdsmøde 2026-12-03: opgave til hjemmeplejen (notat 5001 v4)');
    expect(tasks[1].title).toBe('Tværfagligt samarbejdsmøde 2026-12-03: tilknyt organisation Demensspecialister (notat 5001 v4)');
    expect(tasks[1].description).toContain('tilknyttes Demensspecialister');
    expect(
      followUpTasks({ noteId: 1, noteVersion: 1 }, '2026-12-03', { sendToGp: true, attachOrganisations: [], revisitation: false }, orgs, 7),
    ).toEqual([]);
  });

  it('keys a task by its content, so a correction repeats only tasks whose content changed', () => {
    const f = { sendToGp: false, homeCareTask: 'Øg hjælp til bad', attachOrganisations: ['A'], revisitation: true };
    const v4 = followUpTasks({ noteId: 5001, noteVersion: 4 }, '2026-12-03', f, orgs, 7);
    const v6 = followUpTasks({ noteId: 5001, noteVersion: 6 }, '2026-12-03', f, orgs, 7);
    expect(v6.map((t) => t.ledgerKey)).toEqual(v4.map((t) => t.ledgerKey));
    const changed = followUpTasks({ noteId: 5001, noteVersion: 6 }, '2026-12-03', { ...f, homeCareTask: 'Ny aftale' }, orgs, 7);
    expect(changed[0].ledgerKey).not.toBe(v4[0].ledgerKey);
    expect(changed[1].ledgerKey).toBe(v4[1].ledgerKey);
    const other = followUpTasks({ noteId: 5002, noteVersion: 4 }, '2026-12-03', f, orgs, 7);
    expect(other[0].ledgerKey).not.toBe(v4[0].ledgerKey);
  });

  it('builds deterministic ids without ":" for BullMQ and with version for the ledger', () => {
    expect(flowJobId({ noteId: 5001, noteVersion: 3 })).toBe('note-5001-v3');
    expect(letterIdempotencyKey({ noteId: 5001, noteVersion: 3 }, '024015')).toBe('medcom:note:5001:v3:gp:024015');
    expect(documentTitle({ noteId: 5001, noteVersion: 5 }, '2026-12-03', 3)).toBe(
      'Tværfagligt samarbejdsmøde 2026-12-03 - notat 5001 v5 (rettelse af v3)',
    );
    expect(documentTitle({ noteId: 5001, noteVersion: 3 }, '2026-12-03')).not.toContain('rettelse');
  });
});
