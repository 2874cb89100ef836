import { envSchema } from '../../../src/config/config.schema';
import { AgendaInput, buildAgenda, CandidateNote, toAgendaDocument, trackOf } from '../../../src/domain/agenda.builder';
import { hasDementia, isDementiaCondition, missingRelations, organisationKey } from '../../../src/domain/relations.rules';
import { tagKey } from '../../../src/domain/tags';
import { citizens, complex, D, note, rehab, RULES } from './agenda-fixtures';

/** Issue 17: the agenda follows the coordinator's process (seed 004) — forgiving tags, exact tracks, kept times. */
const SEED_NURSES = ['Sygeplejersker/sundhedslovgivning', 'Sygeplejersker'];
const rules = { ...RULES, organisations: { ...RULES.organisations, nurses: SEED_NURSES } };
const build = (notes: CandidateNote[], over: Partial<AgendaInput> = {}) =>
  buildAgenda({ meetingDate: D, rules, notes, citizens: citizens([...new Set(notes.map((n) => n.citizenId))]), ...over });
const rows = (a: ReturnType<typeof build>) => a.items.map((i) => [i.noteId, i.start, i.timeSetBy, i.warnings]);

describe('tags match after normalisation (case, every dash, whitespace)', () => {
  it.each([
    ['the configured spelling (seed, "Tags:")', 'ÆS – Tværfagligt samarbejdsmøde', []],
    ['the data list spelling (seed, "tagget med")', 'ÆS- Tværfagligt samarbejdsmøde', ['TAG_VARIANT']],
    ['lower case, em dash, no spaces', 'æs—tværfagligtsamarbejdsmøde', ['TAG_VARIANT']],
    ['hyphen U+2010 and a tab', 'ÆS ‐\tTværfagligt samarbejdsmøde', ['TAG_VARIANT']],
    ['non-breaking hyphen U+2011', 'ÆS ‑ Tværfagligt samarbejdsmøde', ['TAG_VARIANT']],
    ['figure dash U+2012, upper case', 'ÆS ‒ TVÆRFAGLIGT SAMARBEJDSMØDE', ['TAG_VARIANT']],
    ['non-breaking spaces', 'ÆS\u00a0–\u00a0Tværfagligt samarbejdsmøde', ['TAG_VARIANT']],
  ])('%s: %j is taken with %j', (_label, tag, warnings) => {
    const a = build([rehab(1, '1', { id: 1, tags: [tag] })]);
    expect(rows(a)).toEqual([[1, '10:00', 'tsm-bridge', warnings]]);
    expect(a.excluded).toEqual([]);
  });

  it.each([
    ['no dash', 'ÆS Tværfagligt samarbejdsmøde'],
    ['another meeting', 'ÆS – Tværfagligt dialogmøde'],
    ['a longer tag', 'ÆS – Tværfagligt samarbejdsmøde 2'],
  ])('%s (%j) is not the tag', (_label, tag) => {
    expect(build([rehab(1, '1', { id: 1, tags: [tag] })]).items).toEqual([]);
  });

  it('exact beats variant when a note carries both spellings', () => {
    const a = build([rehab(1, '1', { id: 1, tags: ['ÆS- Tværfagligt samarbejdsmøde', 'ÆS – Tværfagligt samarbejdsmøde'] })]);
    expect(a.items[0].warnings).toEqual([]);
  });

  it('tagKey folds every dash to "-" and drops all whitespace', () => {
    expect(['‐', '‑', '‒', '–', '—', '-'].map((d) => tagKey(`A ${d} b`))).toEqual(Array(6).fill('a-b'));
  });
});

describe('tracks: "Forløbstype" normalised as tags', () => {
  it.each([
    ['Rehabilitering (§ 83a)', {}, 'rehab', false],
    ['SEL § 83 A', {}, 'rehab', false],
    ['§83a', {}, 'rehab', false],
    ['Kompleks – ikke rehabiliteringspotentiale', {}, 'complex', false],
    ['Komplekst forløb', {}, 'complex', false],
    ['Rehab', {}, 'complex', true],
    ['83a', {}, 'complex', true],
    ['Ikke kompleks', {}, 'complex', true],
    ['', {}, 'complex', true],
    // Explicit values take precedence and compare normalised.
    ['Rehab', { rehab: ['rehab'] }, 'rehab', false],
    ['Hverdags-rehabilitering', { rehab: ['Hverdags – rehabilitering'] }, 'rehab', false],
    ['Kompleks § 83a', { complex: ['Kompleks §83a'] }, 'complex', false],
    ['Rehabilitering (§ 83a)', { complex: ['rehabilitering (§83a)'] }, 'complex', false],
    ['Andet', { rehab: ['rehab'], complex: ['kompleks'] }, 'complex', true],
  ])('%j with %j → %s (NO_TRACK: %s)', (value, values, track, missing) => {
    expect(trackOf({ Forløbstype: value }, values)).toEqual({ track, missing });
  });

  it('NO_TRACK is placed in the complex hour', () => {
    const a = build([note(1, { id: 1, items: { Forløbstype: 'Rehab' } })]);
    expect(rows(a)).toEqual([[1, '11:00', 'tsm-bridge', ['NO_TRACK']]]);
  });
});

describe('dementia and the nurses organisation', () => {
  it.each([
    ['Alzheimers sygdom', true],
    ['ALZHEIMER', true],
    ['Vaskulær demens', true],
    ['DF00.1', true],
    ['F00', true],
    ['DF01', true],
    ['F02.8 Demens ved andre sygdomme', true],
    ['DF03.9', true],
    ['F039', true],
    ['DG30.9', true],
    ['G30', true],
    ['DF04', false],
    ['F10.2 Alkoholafhængighed', false],
    ['DG31', false],
    ['KOL', false],
    ['DJ44.9', false],
  ])('condition %j → dementia %s', (condition, expected) => {
    expect(isDementiaCondition(condition)).toBe(expected);
    expect(hasDementia([condition], {})).toBe(expected);
  });

  it.each([
    ['Ja', true],
    [' JA ', true],
    ['ja', true],
    ['Nej', false],
    ['', false],
  ])('the Demens item %j → %s', (value, expected) => {
    expect(hasDementia([], { Demens: value })).toBe(expected);
  });

  it.each([
    ['the seed name', ['Visitator', 'Demensspecialister', 'Sygeplejersker/sundhedslovgivning'], []],
    ['the other name', ['Visitator', 'Demensspecialister', 'Sygeplejersker'], []],
    ['case, blanks and inner spaces', [' visitator', 'DEMENSSPECIALISTER ', '  sygeplejersker/sundhedslovgivning'], []],
    ['none of them', ['Visitator', 'Demensspecialister'], ['DEMENTIA_NEEDS_SYGEPLEJERSKER']],
  ])('nurses attached under %s → %j', (_label, organisations, warnings) => {
    const a = build([rehab(1, '1', { id: 1 })], { citizens: citizens([1], { 1: { conditions: ['Alzheimers sygdom'], organisations } }) });
    expect(a.items[0].warnings).toEqual(warnings);
  });

  it('a missing nurses organisation names every candidate in order, the seed name first', () => {
    expect(missingRelations(['Visitator', 'Demensspecialister'], true, rules.organisations)).toEqual([
      { organisation: 'Sygeplejersker/sundhedslovgivning', candidates: SEED_NURSES, warning: 'DEMENTIA_NEEDS_SYGEPLEJERSKER' },
    ]);
  });

  it('organisation names compare trimmed, case-folded, whitespace collapsed', () => {
    expect(organisationKey('  Pleje og  Omsorg –\tterapeuter ')).toBe(organisationKey('pleje og omsorg – terapeuter'));
  });
});

describe('off-date notes: NOT_ON_MEETING_DATE', () => {
  it.each([
    ['meeting − 1', '2026-12-02T12:00:00+01:00', [], 'NOT_ON_MEETING_DATE'],
    ['meeting − 13', '2026-11-20T09:00:00+01:00', [], 'NOT_ON_MEETING_DATE'],
    ['meeting − 13 on the Copenhagen calendar (23:30Z on − 14)', '2026-11-19T23:30:00Z', [], 'NOT_ON_MEETING_DATE'],
    ['meeting − 14', '2026-11-19T12:00:00+01:00', [], null],
    ['meeting − 14, a series meeting skipped for a public holiday', '2026-11-19T12:00:00+01:00', ['2026-11-19'], 'NOT_ON_MEETING_DATE'],
    ['meeting − 28, also skipped', '2026-11-05T12:00:00+01:00', ['2026-11-19', '2026-11-05'], 'NOT_ON_MEETING_DATE'],
    ['meeting + 1', '2026-12-04T12:00:00+01:00', [], null],
  ])('observed %s → %s', (_label, observationTimestamp, skippedDates, reason) => {
    const a = build([rehab(1, '1', { id: 1, observationTimestamp }), rehab(2, '1', { id: 2 })], { skippedDates });
    expect(a.items.map((i) => i.noteId)).toEqual([2]);
    expect(a.excluded.map((e) => e.reason)).toEqual(reason ? [reason] : []);
  });

  it('carries the observation date into the published document', () => {
    const a = build([
      rehab(1, '1', { id: 1, observationTimestamp: '2026-12-02T12:00:00+01:00', tags: ['ÆS- Tværfagligt samarbejdsmøde'] }),
    ]);
    expect(toAgendaDocument('solhoej', a).excluded).toEqual([
      { noteId: 1, citizenId: 1, reason: 'NOT_ON_MEETING_DATE', observationDate: '2026-12-02' },
    ]);
  });
});

describe("coordinator's times", () => {
  const t = (hhmm: string) => ({ Tidspunkt: hhmm });
  it.each([
    // [label, notes, written times, expected rows by start, agenda warnings]
    [
      'on the grid: kept, the others fill around it',
      [rehab(1, '1', { id: 1 }), rehab(2, '2', { id: 2, items: t('10:00') }), rehab(3, '3', { id: 3 })],
      [],
      [
        [2, '10:00', 'coordinator', []],
        [1, '10:10', 'tsm-bridge', []],
        [3, '10:20', 'tsm-bridge', []],
      ],
      [],
    ],
    [
      'off the grid: 10:05 occupies 10:05–10:15, so 10:00 and 10:10 overlap it',
      [rehab(1, '1', { id: 1 }), rehab(2, '2', { id: 2, items: t('10:05') }), rehab(3, '3', { id: 3 })],
      [],
      [
        [2, '10:05', 'coordinator', []],
        [1, '10:20', 'tsm-bridge', []],
        [3, '10:30', 'tsm-bridge', []],
      ],
      [],
    ],
    [
      'the seed example: the 07:00 run keeps 10:45 instead of putting back 10:20',
      [rehab(1, '1', { id: 1 }), rehab(2, '2', { id: 2 }), rehab(3, '3', { id: 3, items: t('10:45') })],
      [[3, '10:20']],
      [
        [1, '10:00', 'tsm-bridge', []],
        [2, '10:10', 'tsm-bridge', []],
        [3, '10:45', 'coordinator', []],
      ],
      [],
    ],
    [
      'a time this service wrote is its own to move',
      [rehab(1, '1', { id: 1 }), rehab(2, '2', { id: 2, items: t('10:20') })],
      [[2, '10:20']],
      [
        [1, '10:00', 'tsm-bridge', []],
        [2, '10:10', 'tsm-bridge', []],
      ],
      [],
    ],
    [
      'not a valid HH:MM: not a time anyone set',
      [rehab(1, '1', { id: 1, items: t('10.45') }), rehab(2, '2', { id: 2, items: t('24:00') })],
      [],
      [
        [1, '10:00', 'tsm-bridge', []],
        [2, '10:10', 'tsm-bridge', []],
      ],
      [],
    ],
    [
      'a complex citizen set in the rehab hour keeps it, with TIME_OUTSIDE_TRACK_HOUR',
      [rehab(1, '1', { id: 1 }), complex(2, '1', { id: 2, items: t('10:30') }), complex(3, '2', { id: 3 })],
      [],
      [
        [1, '10:00', 'tsm-bridge', []],
        [2, '10:30', 'coordinator', ['TIME_OUTSIDE_TRACK_HOUR']],
        [3, '11:00', 'tsm-bridge', []],
      ],
      [],
    ],
    [
      'a rehab citizen set at 11:30: complex starts after the last rehab item',
      [rehab(1, '1', { id: 1, items: t('11:30') }), complex(2, '1', { id: 2 }), complex(3, '2', { id: 3 })],
      [],
      [
        [1, '11:30', 'coordinator', ['TIME_OUTSIDE_TRACK_HOUR']],
        [2, '11:40', 'tsm-bridge', []],
        [3, '11:50', 'tsm-bridge', []],
      ],
      [],
    ],
    [
      'complex fills around a coordinator time in its hour',
      [complex(1, '1', { id: 1 }), complex(2, '2', { id: 2, items: t('11:00') }), complex(3, '3', { id: 3, items: t('11:15') })],
      [],
      [
        [2, '11:00', 'coordinator', []],
        [1, '11:30', 'tsm-bridge', []],
        [3, '11:15', 'coordinator', []],
      ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
      [],
    ],
    [
      'OVERFLOW when a coordinator time ends after 12:00',
      [complex(1, '1', { id: 1, items: t('11:55') })],
      [],
      [[1, '11:55', 'coordinator', []]],
      ['OVERFLOW'],
    ],
    ['ending exactly at 12:00 is no overflow', [complex(1, '1', { id: 1, items: t('11:50') })], [], [[1, '11:50', 'coordinator', []]], []],
  ])('%s', (_label, notes, written, expected, warnings) => {
    const a = build(notes as CandidateNote[], { writtenTimes: new Map(written as Array<[number, string]>) });
    expect(rows(a)).toEqual(expected);
    expect(a.warnings).toEqual(warnings);
    expect(a.items.map((i) => i.end)).toEqual(
      a.items.map((i) => {
        const [h, m] = i.start.split(':').map(Number);
        const e = h * 60 + m + 10;
        return `${String(Math.floor(e / 60)).padStart(2, '0')}:${String(e % 60).padStart(2, '0')}`;
      }),
    );
  });

  it('the published document shows who set each time', () => {
    const a = build([rehab(1, '1', { id: 1, items: t('10:40') }), rehab(2, '2', { id: 2 })]);
    expect(toAgendaDocument('solhoej', a).items.map((i) => [i.noteId, i.start, i.end, i.timeSetBy])).toEqual([
      [2, '10:00', '10:10', 'tsm-bridge'],
      [1, '10:40', '10:50', 'coordinator'],
    ]);
  });
});

describe('locked notes', () => {
  it('a note locked before the meeting keeps its place with NOTE_LOCKED', () => {
    const a = build([rehab(1, '1', { id: 1 }), rehab(2, '2', { id: 2, locked: true }), rehab(3, '3', { id: 3 })]);
    expect(rows(a)).toEqual([
      [1, '10:00', 'tsm-bridge', []],
      [2, '10:10', 'tsm-bridge', ['NOTE_LOCKED']],
      [3, '10:20', 'tsm-bridge', []],
    ]);
    expect(a.items.map((i) => i.locked)).toEqual([false, true, false]);
  });

  it('a locked note with a coordinator time keeps that time', () => {
    const a = build([rehab(1, '1', { id: 1, locked: true, items: { Tidspunkt: '10:00' } }), rehab(2, '2', { id: 2 })]);
    expect(rows(a)).toEqual([
      [1, '10:00', 'coordinator', ['NOTE_LOCKED']],
      [2, '10:10', 'tsm-bridge', []],
    ]);
  });
});

describe('settings', () => {
  it.each([
    [undefined, ['Sygeplejersker/sundhedslovgivning', 'Sygeplejersker']],
    ['Sygeplejersker', ['Sygeplejersker']],
    ['Sygeplejen , Sygeplejersker', ['Sygeplejen', 'Sygeplejersker']],
    ['["Sygeplejersker/sundhedslovgivning"]', ['Sygeplejersker/sundhedslovgivning']],
  ])('NEXUS_ORG_NURSES=%j → %j', (value, expected) => {
    expect(envSchema.parse(value === undefined ? {} : { NEXUS_ORG_NURSES: value }).NEXUS_ORG_NURSES).toEqual(expected);
  });

  it.each([
    [undefined, undefined],
    ['{"rehab": ["Hverdagsrehabilitering"]}', { rehab: ['Hverdagsrehabilitering'] }],
  ])('AGENDA_TRACK_VALUES=%j → %j', (value, expected) => {
    expect(envSchema.parse(value === undefined ? {} : { AGENDA_TRACK_VALUES: value }).AGENDA_TRACK_VALUES).toEqual(expected);
  });

  it.each(['{rehab', '{"rehab": "x"}', '{"other": []}', '[]'])('AGENDA_TRACK_VALUES=%j is refused', (value) => {
    expect(envSchema.safeParse({ AGENDA_TRACK_VALUES: value }).success).toBe(false);
  });

  it.each(['[]', '["", "x"]', ' , ', '[oops'])('NEXUS_ORG_NURSES=%j is refused', (value) => {
    expect(envSchema.safeParse({ NEXUS_ORG_NURSES: value }).success).toBe(false);
  });
});
