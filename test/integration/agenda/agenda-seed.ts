import { seedSchema } from '../../../schemas/sandbox-seed.schema';

/** A small Solhøj meeting for the agenda workflow and CLI tests; its agenda is worked out by hand below. */
export const D = '2026-12-03';
export const FORM = 'Samlet faglig vurdering';
export const TAG = 'ÆS – Tværfagligt samarbejdsmøde';
const noteOf = (id: number, created: string, items: Record<string, string>) => ({
  id,
  formTitle: FORM,
  tags: [TAG],
  observationTimestamp: `${D}T00:00:00+01:00`,
  createDate: created,
  state: 'Kladde',
  items,
});

/** Four citizens: two rehab, one complex with dementia, one late note. Expected agenda derived by hand in the tests. */
export const SEED = seedSchema.parse({
  organizations: [
    { id: 10, name: 'Visitator' },
    { id: 11, name: 'Demensspecialister' },
    { id: 12, name: 'Sygeplejersker' },
    { id: 13, name: 'Træning og Rehabilitering' },
    { id: 18, name: 'Koordinerende rolle' },
  ],
  citizens: [
    {
      id: 2001,
      cpr: '0101301111',
      firstName: 'Karen',
      lastName: 'Holm',
      organizations: [10, 13],
      gp: { ydernummer: '024015' },
      notes: [
        noteOf(6001, '2026-11-20T09:00:00+01:00', {
          Forløbstype: 'Rehabilitering (§ 83a)',
          Prioritet: '1',
          'Inviter egen læge': 'Ja',
          Emne: 'Træning efter hoftebrud og plan for bad',
        }),
      ],
    },
    {
      id: 2002,
      cpr: '0202302222',
      firstName: 'Poul',
      lastName: 'Berg',
      organizations: [13],
      notes: [noteOf(6002, '2026-11-21T09:00:00+01:00', { Forløbstype: 'Rehabilitering (§ 83a)', Prioritet: '2' })],
    },
    {
      id: 2003,
      cpr: '0303303333',
      firstName: 'Inge',
      lastName: 'Lund',
      conditions: ['Demens'],
      organizations: [10, 11],
      notes: [noteOf(6003, '2026-11-22T09:00:00+01:00', { Forløbstype: 'Kompleks – demens', Prioritet: '1' })],
    },
    {
      id: 2004,
      cpr: '0404304444',
      firstName: 'Erik',
      lastName: 'Dahl',
      organizations: [10],
      notes: [noteOf(6004, '2026-12-01T09:00:00+01:00', { Forløbstype: 'Kompleks', Prioritet: '1' })],
    },
  ],
  practices: [{ ydernummer: '024015', name: 'Lægerne i Solhøj', ean: '5790000000012', sor: '123456789012', formats: ['xdis91'] }],
});

export const EXPECTED_DOCUMENT = {
  district: 'solhoej',
  meetingDate: D,
  end: '11:10',
  items: [
    { noteId: 6001, citizenId: 2001, track: 'rehab', start: '10:00', end: '10:10', timeSetBy: 'tsm-bridge', warnings: [] },
    {
      noteId: 6002,
      citizenId: 2002,
      track: 'rehab',
      start: '10:10',
      end: '10:20',
      timeSetBy: 'tsm-bridge',
      warnings: ['MISSING_VISITATOR'],
    },
    {
      noteId: 6003,
      citizenId: 2003,
      track: 'complex',
      start: '11:00',
      end: '11:10',
      timeSetBy: 'tsm-bridge',
      warnings: ['DEMENTIA_NEEDS_SYGEPLEJERSKER'],
    },
  ],
  excluded: [{ noteId: 6004, citizenId: 2004, reason: 'LATE_NOTE' }],
  warnings: [],
};

/** What `agenda --json` adds (issue 17): the first reminder about unlocked notes, one working day after the Thursday meeting. */
export const EXPECTED_FOLLOW_UP = { emptyAgendaNotice: false, unlockedNotesTask: { firstOn: '2026-12-04', at: '10:00', maxTasks: 5 } };
