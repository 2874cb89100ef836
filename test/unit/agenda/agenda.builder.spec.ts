import fc from 'fast-check';
import { IntegrationError } from '../../../src/common/errors';
import {
  AgendaInput,
  attachedOrganisations,
  buildAgenda,
  CandidateNote,
  priorityOf,
  toAgendaDocument,
  trackOf,
  viewFor,
} from '../../../src/domain/agenda.builder';
import { citizens, complex, D, note, rehab, RULES } from './agenda-fixtures';

const build = (notes: CandidateNote[], over: Partial<AgendaInput> = {}) =>
  buildAgenda({ meetingDate: D, rules: RULES, notes, citizens: citizens([...new Set(notes.map((n) => n.citizenId))]), ...over });

const ids = (a: ReturnType<typeof build>) => a.items.map((i) => i.noteId);

describe('candidates', () => {
  it.each([
    ['another form title', { formTitle: 'Handleplan' }],
    ['without the tag', { tags: ['Andet tag'] }],
    ['observation date 14 days before (outside the off-date window)', { observationTimestamp: '2026-11-19T12:00:00+01:00' }],
    ['observation date the day after (local)', { observationTimestamp: '2026-12-03T23:30:00Z' }],
  ])('a note %s is not a candidate: neither item nor excluded', (_label, over) => {
    const a = build([rehab(1, '1', { id: 1, ...over }), rehab(2, '1', { id: 2 })]);
    expect(ids(a)).toEqual([2]);
    expect(a.excluded).toEqual([]);
  });

  it('takes the observation date on the Copenhagen calendar (23:30Z on the 2nd is the 3rd locally)', () => {
    expect(ids(build([rehab(1, '1', { id: 1, observationTimestamp: '2026-12-02T23:30:00Z' })]))).toEqual([1]);
  });

  it('excludes a note whose creation time is not a timestamp as INVALID_NOTE instead of failing the meeting', () => {
    const a = build([rehab(1, '1', { id: 1, createDate: 'yesterday' }), rehab(2, '1', { id: 2 })]);
    expect(ids(a)).toEqual([2]);
    expect(a.excluded).toEqual([{ noteId: 1, citizenId: 1, reason: 'INVALID_NOTE' }]);
  });
});

describe('rule 1: LATE_NOTE (created on a calendar date after D − 3, Europe/Copenhagen)', () => {
  it.each([
    // meeting date, createDate, late?
    [D, '2026-11-30T23:59:00+01:00', false],
    [D, '2026-12-01T00:00:00+01:00', true],
    [D, '2026-11-30T22:59:00Z', false], // 23:59 local on the cut-off day
    [D, '2026-11-30T23:30:00Z', true], // 00:30 local the day after
    [D, '2026-11-20T10:00:00.000+0000', false], // Nexus offset without colon
    [D, '2026-12-03T08:00:00+01:00', true], // on the meeting day itself
    // Spring forward on 2026-03-29 (CEST, +02:00): the cut-off day of a meeting on 2026-04-01.
    ['2026-04-01', '2026-03-29T21:59:00Z', false], // 23:59 CEST
    ['2026-04-01', '2026-03-29T22:00:00Z', true], // 00:00 CEST on the 30th (23:00 if CET were assumed)
    // Fall back on 2026-10-25 (CET, +01:00 from 03:00): the cut-off day of a meeting on 2026-10-28.
    ['2026-10-28', '2026-10-25T22:59:00Z', false], // 23:59 CET
    ['2026-10-28', '2026-10-25T23:00:00Z', true], // 00:00 CET on the 26th
    ['2026-10-28', '2026-10-24T22:30:00Z', false], // 00:30 CEST on the 25th
  ])('meeting %s, created %s → late %s', (meetingDate, createDate, late) => {
    const n = rehab(1, '1', { id: 7, createDate, observationTimestamp: `${meetingDate}T00:00:00+01:00` });
    const a = build([n], { meetingDate });
    expect(a.excluded).toEqual(late ? [{ noteId: 7, citizenId: 1, reason: 'LATE_NOTE' }] : []);
    expect(ids(a)).toEqual(late ? [] : [7]);
  });

  it('with cutoffDays 0 a note created on the meeting day is on time', () => {
    const a = build([rehab(1, '1', { id: 7, createDate: '2026-12-03T07:00:00+01:00' })], { rules: { ...RULES, cutoffDays: 0 } });
    expect(ids(a)).toEqual([7]);
  });

  it('all notes late: an empty agenda that lists every note as LATE_NOTE', () => {
    const a = build([
      rehab(1, '1', { id: 3, createDate: '2026-12-02T10:00:00+01:00' }),
      complex(2, '1', { id: 4, createDate: '2026-12-01T10:00:00+01:00' }),
    ]);
    expect(a.items).toEqual([]);
    expect(a.warnings).toEqual([]);
    expect(a.excluded).toEqual([
      { noteId: 3, citizenId: 1, reason: 'LATE_NOTE' },
      { noteId: 4, citizenId: 2, reason: 'LATE_NOTE' },
    ]);
  });
});

describe('rule 2: DUPLICATE_NOTE (one item per citizen, the latest created)', () => {
  it('keeps the latest created note and excludes the others', () => {
    const a = build([
      rehab(1, '1', { id: 11, createDate: '2026-11-10T09:00:00+01:00' }),
      rehab(1, '1', { id: 12, createDate: '2026-11-25T09:00:00+01:00' }),
      rehab(1, '1', { id: 10, createDate: '2026-11-15T09:00:00+01:00' }),
    ]);
    expect(ids(a)).toEqual([12]);
    expect(a.excluded).toEqual([
      { noteId: 10, citizenId: 1, reason: 'DUPLICATE_NOTE' },
      { noteId: 11, citizenId: 1, reason: 'DUPLICATE_NOTE' },
    ]);
  });

  it('compares creation instants, not strings (08:30Z is later than 09:15+01:00)', () => {
    const a = build([
      rehab(1, '1', { id: 21, createDate: '2026-11-25T09:15:00+01:00' }),
      rehab(1, '1', { id: 22, createDate: '2026-11-25T08:30:00Z' }),
    ]);
    expect(ids(a)).toEqual([22]);
  });

  it('on equal creation times the higher note id wins', () => {
    const same = '2026-11-25T09:00:00+01:00';
    const a = build([rehab(1, '1', { id: 31, createDate: same }), rehab(1, '1', { id: 30, createDate: same })]);
    expect(ids(a)).toEqual([31]);
    expect(a.excluded).toEqual([{ noteId: 30, citizenId: 1, reason: 'DUPLICATE_NOTE' }]);
  });

  it.each([
    ['late newer note: the older on-time note stays on the agenda', ['ok:2026-11-20', 'late:2026-12-01'], [41], [[42, 'LATE_NOTE']]],
    [
      'both late: no item, both LATE_NOTE',
      ['late:2026-12-01', 'late:2026-12-02'],
      [],
      [
        [41, 'LATE_NOTE'],
        [42, 'LATE_NOTE'],
      ],
    ],
    [
      'two on time and a late newest: late, duplicate, kept',
      ['ok:2026-11-20', 'ok:2026-11-28', 'late:2026-12-02'],
      [42],
      [
        [41, 'DUPLICATE_NOTE'],
        [43, 'LATE_NOTE'],
      ],
    ],
  ])('duplicate and late together — %s', (_label, specs, itemIds, excluded) => {
    const notes = (specs as string[]).map((s, i) => rehab(1, '1', { id: 41 + i, createDate: `${s.split(':')[1]}T10:00:00+01:00` }));
    const a = build(notes);
    expect(ids(a)).toEqual(itemIds);
    expect(a.excluded).toEqual((excluded as Array<[number, string]>).map(([noteId, reason]) => ({ noteId, citizenId: 1, reason })));
  });
});

describe('rule 3: track from "Forløbstype"', () => {
  it.each([
    ['Rehabilitering (§ 83a)', 'rehab', false],
    ['§ 83A hjemmehjælp', 'rehab', false],
    ['SEL § 83 A', 'rehab', false], // normalised like a tag: "sel§83a"
    ['Komplekst forløb', 'complex', false],
    ['Kompleks – ikke rehabiliteringspotentiale', 'complex', false], // issue 17: was guessed rehab from "rehab…"
    [' KOMPLEKS ', 'complex', false],
    ['REHAB', 'complex', true], // no guessing: neither § 83a nor kompleks → NO_TRACK
    ['Hverdagsrehabilitering', 'complex', true],
    ['Demens og misbrug', 'complex', true],
    ['83 a', 'complex', true], // the rule names "§83a" literally
    ['', 'complex', true],
    ['   ', 'complex', true],
    [undefined, 'complex', true],
  ])('%j → %s (missing: %s)', (value, track, missing) => {
    expect(trackOf(value === undefined ? {} : { Forløbstype: value })).toEqual({ track, missing });
  });

  it('a note without a track is placed among the complex items with NO_TRACK', () => {
    const a = build([note(1, { id: 51, items: { Prioritet: '1' } }), rehab(2, '1', { id: 52 })]);
    expect(a.items.map((i) => [i.noteId, i.track, i.warnings])).toEqual([
      [52, 'rehab', []],
      [51, 'complex', ['NO_TRACK']],
    ]);
  });
});

describe('rule 4: order', () => {
  it.each([
    ['1', 1, false],
    [' 2 ', 2, false],
    ['02', 2, false],
    ['-1', -1, false],
    ['0', 0, false],
    ['', null, false],
    [undefined, null, false],
    ['høj', null, true],
    ['1.5', null, true],
    ['1,5', null, true],
    ['2a', null, true],
    ['9999999999999999', null, true],
  ])('Prioritet %j → %j (invalid: %s)', (value, priority, invalid) => {
    expect(priorityOf(value === undefined ? {} : { Prioritet: value })).toEqual({ priority, invalid });
  });

  it('rehab before complex, whatever the priorities', () => {
    const a = build([complex(1, '1', { id: 61 }), rehab(2, '9', { id: 62 })]);
    expect(ids(a)).toEqual([62, 61]);
  });

  it('priority ascending, missing after every numbered one, invalid counted as missing', () => {
    const a = build([
      rehab(1, undefined, { id: 71 }),
      rehab(2, '3', { id: 72 }),
      rehab(3, 'høj', { id: 73, createDate: '2026-11-01T10:00:00+01:00' }),
      rehab(4, '1', { id: 74 }),
      rehab(5, '10', { id: 75 }),
      rehab(6, '-2', { id: 76 }),
    ]);
    expect(ids(a)).toEqual([76, 74, 72, 75, 73, 71]);
    expect(a.items.find((i) => i.noteId === 73)).toMatchObject({ priority: null, priorityInvalid: true, warnings: [] });
  });

  it('ties on priority go by creation time, then by note id', () => {
    const a = build([
      complex(1, '2', { id: 83, createDate: '2026-11-21T10:00:00+01:00' }),
      complex(2, '2', { id: 82, createDate: '2026-11-21T10:00:00+01:00' }),
      complex(3, '2', { id: 81, createDate: '2026-11-22T10:00:00+01:00' }),
      complex(4, '2', { id: 84, createDate: '2026-11-20T10:00:00+01:00' }),
    ]);
    expect(ids(a)).toEqual([84, 82, 83, 81]);
  });

  it('missing priorities tie among themselves by creation time', () => {
    const a = build([
      complex(1, undefined, { id: 91, createDate: '2026-11-22T10:00:00+01:00' }),
      complex(2, '', { id: 92, createDate: '2026-11-21T10:00:00+01:00' }),
    ]);
    expect(ids(a)).toEqual([92, 91]);
  });
});

describe('rule 5: slots and OVERFLOW', () => {
  const agendaOf = (nRehab: number, nComplex: number, rules = RULES) => {
    const notes = [
      ...Array.from({ length: nRehab }, (_, i) => rehab(100 + i, String(i + 1), { id: 1000 + i })),
      ...Array.from({ length: nComplex }, (_, i) => complex(200 + i, String(i + 1), { id: 2000 + i })),
    ];
    return build(notes, { rules });
  };

  it.each([
    [3, 2, ['10:00', '10:10', '10:20', '11:00', '11:10'], []],
    [0, 2, ['11:00', '11:10'], []],
    [2, 0, ['10:00', '10:10'], []],
    [7, 1, ['10:00', '10:10', '10:20', '10:30', '10:40', '10:50', '11:00', '11:10'], []], // rehab runs over its hour
    [6, 6, ['10:00', '10:10', '10:20', '10:30', '10:40', '10:50', '11:00', '11:10', '11:20', '11:30', '11:40', '11:50'], []], // ends 12:00 exactly
    [
      6,
      7,
      ['10:00', '10:10', '10:20', '10:30', '10:40', '10:50', '11:00', '11:10', '11:20', '11:30', '11:40', '11:50', '12:00'],
      ['OVERFLOW'],
    ],
    [
      13,
      0,
      ['10:00', '10:10', '10:20', '10:30', '10:40', '10:50', '11:00', '11:10', '11:20', '11:30', '11:40', '11:50', '12:00'],
      ['OVERFLOW'],
    ],
    [0, 0, [], []],
  ])('%i rehab + %i complex → %j, warnings %j', (nRehab, nComplex, starts, warnings) => {
    const a = agendaOf(nRehab, nComplex);
    expect(a.items.map((i) => i.start)).toEqual(starts);
    expect(a.warnings).toEqual(warnings);
  });

  it('uses the series start, slot and track lengths', () => {
    const a = agendaOf(2, 2, { ...RULES, startTime: '13:00', slotMinutes: 15, trackMinutes: 45 });
    expect(a.items.map((i) => [i.start, i.end])).toEqual([
      ['13:00', '13:15'],
      ['13:15', '13:30'],
      ['13:45', '14:00'],
      ['14:00', '14:15'],
    ]);
    expect(a.warnings).toEqual([]);
  });

  it('refuses an agenda that would run past midnight with a permanent, classified error', () => {
    let err: unknown;
    try {
      agendaOf(3, 0, { ...RULES, startTime: '23:40' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IntegrationError);
    expect(err).toMatchObject({ code: 'AGENDA_PAST_MIDNIGHT', errorClass: 'permanent' });
  });
});

describe('rule 6: relation warnings', () => {
  it.each([
    ['Visitator attached, no dementia', [], {}, ['Visitator'], [], false],
    ['nothing attached', [], {}, [], ['MISSING_VISITATOR'], false],
    ['organisation names compared without case', [], {}, ['  visitator '], [], false],
    [
      'dementia condition, nothing else attached',
      ['Vaskulær DEMENS'],
      {},
      ['Visitator'],
      ['DEMENTIA_NEEDS_DEMENSSPECIALISTER', 'DEMENTIA_NEEDS_SYGEPLEJERSKER'],
      true,
    ],
    [
      'dementia condition with Demensspecialister',
      ['Demens'],
      {},
      ['Visitator', 'Demensspecialister'],
      ['DEMENTIA_NEEDS_SYGEPLEJERSKER'],
      true,
    ],
    [
      'dementia condition with Sygeplejersker',
      ['Demens'],
      {},
      ['Visitator', 'Sygeplejersker'],
      ['DEMENTIA_NEEDS_DEMENSSPECIALISTER'],
      true,
    ],
    ['dementia with both', ['Demens'], {}, ['Visitator', 'Demensspecialister', 'Sygeplejersker'], [], true],
    [
      'note item Demens = Ja',
      [],
      { Demens: 'Ja' },
      ['Visitator'],
      ['DEMENTIA_NEEDS_DEMENSSPECIALISTER', 'DEMENTIA_NEEDS_SYGEPLEJERSKER'],
      true,
    ],
    ['note item Demens = " ja "', [], { Demens: ' ja ' }, ['Visitator', 'Sygeplejersker'], ['DEMENTIA_NEEDS_DEMENSSPECIALISTER'], true],
    ['note item Demens = Nej', [], { Demens: 'Nej' }, ['Visitator'], [], false],
    ['other conditions are not dementia', ['Diabetes', 'KOL'], {}, ['Visitator'], [], false],
    [
      'all missing',
      ['Demens'],
      {},
      ['Hjemmeplejen'],
      ['MISSING_VISITATOR', 'DEMENTIA_NEEDS_DEMENSSPECIALISTER', 'DEMENTIA_NEEDS_SYGEPLEJERSKER'],
      true,
    ],
  ])('%s', (_label, conditions, items, organisations, warnings, dementia) => {
    const n = rehab(1, '1', { id: 5, items: items as Record<string, string> });
    const a = build([n], {
      citizens: citizens([1], { 1: { conditions: conditions as string[], organisations: organisations as string[] } }),
    });
    expect(a.items[0].warnings).toEqual(warnings);
    expect(a.items[0].dementia).toBe(dementia);
  });

  it('NO_TRACK comes before the relation warnings', () => {
    const a = build([note(1, { id: 5 })], { citizens: citizens([1], { 1: { organisations: [] } }) });
    expect(a.items[0].warnings).toEqual(['NO_TRACK', 'MISSING_VISITATOR']);
  });
});

describe('rule 7: visibility', () => {
  const a = build([rehab(1, '1', { id: 1 }), rehab(2, '2', { id: 2 }), complex(3, '1', { id: 3 })], {
    citizens: citizens([1, 2, 3], {
      1: { organisations: ['Visitator', 'Træning og Rehabilitering'] },
      2: { organisations: ['Visitator', 'Demensspecialister'] },
      3: { organisations: ['Visitator', 'Træning og Rehabilitering', 'Psykiatriteamet'] },
    }),
  });

  it.each([
    ['Træning og Rehabilitering', [1, 3]],
    ['træning og rehabilitering', [1, 3]],
    ['Demensspecialister', [2]],
    ['Visitator', [1, 2, 3]],
    ['Psykiatriteamet', [3]],
    ['Hjerneskadekoordinator', []],
  ])('%s sees notes %j', (org, expected) => {
    expect(viewFor(a, org).map((i) => i.noteId)).toEqual(expected);
  });

  it('lists every attached organisation once, in order of first appearance', () => {
    expect(attachedOrganisations(a)).toEqual(['Visitator', 'Træning og Rehabilitering', 'Demensspecialister', 'Psykiatriteamet']);
  });
});

describe('a whole meeting', () => {
  it('produces the published document: ids, times and codes only, in agenda order', () => {
    const notes = [
      rehab(1001, '2', { id: 5001 }),
      rehab(1002, '1', { id: 5002, items: { 'Inviter egen læge': 'Ja' } }),
      complex(1003, undefined, { id: 5003 }),
      complex(1004, '1', { id: 5004, createDate: '2026-12-01T08:00:00+01:00' }), // late
      note(1005, { id: 5005, items: { Prioritet: '1' } }), // no track
      complex(1006, '1', { id: 5006, createDate: '2026-11-10T08:00:00+01:00' }), // older duplicate
      complex(1006, '2', { id: 5007, createDate: '2026-11-26T08:00:00+01:00' }),
    ];
    const a = build(notes, {
      citizens: citizens([1001, 1002, 1003, 1004, 1005, 1006], {
        1002: { conditions: ['Demens'], organisations: ['Visitator', 'Demensspecialister'] },
        1003: { organisations: [] },
      }),
    });
    expect(toAgendaDocument('solhoej', a)).toEqual({
      district: 'solhoej',
      meetingDate: D,
      end: '11:30',
      items: [
        {
          noteId: 5002,
          citizenId: 1002,
          track: 'rehab',
          start: '10:00',
          end: '10:10',
          timeSetBy: 'tsm-bridge',
          warnings: ['DEMENTIA_NEEDS_SYGEPLEJERSKER'],
        },
        { noteId: 5001, citizenId: 1001, track: 'rehab', start: '10:10', end: '10:20', timeSetBy: 'tsm-bridge', warnings: [] },
        { noteId: 5005, citizenId: 1005, track: 'complex', start: '11:00', end: '11:10', timeSetBy: 'tsm-bridge', warnings: ['NO_TRACK'] },
        { noteId: 5007, citizenId: 1006, track: 'complex', start: '11:10', end: '11:20', timeSetBy: 'tsm-bridge', warnings: [] },
        {
          noteId: 5003,
          citizenId: 1003,
          track: 'complex',
          start: '11:20',
          end: '11:30',
          timeSetBy: 'tsm-bridge',
          warnings: ['MISSING_VISITATOR'],
        },
      ],
      excluded: [
        { noteId: 5004, citizenId: 1004, reason: 'LATE_NOTE' },
        { noteId: 5006, citizenId: 1006, reason: 'DUPLICATE_NOTE' },
      ],
      warnings: [],
    });
    expect(a.items.map((i) => i.inviteGp)).toEqual([true, false, false, false, false]);
  });

  it('an empty meeting is an empty agenda without warnings', () => {
    expect(toAgendaDocument('solhoej', build([]))).toEqual({
      district: 'solhoej',
      meetingDate: D,
      end: null,
      items: [],
      excluded: [],
      warnings: [],
    });
  });
});

describe('invariants over random notes (fast-check)', () => {
  const arbNote = fc.record({
    id: fc.integer({ min: 1, max: 400 }),
    citizenId: fc.integer({ min: 1, max: 12 }),
    createDay: fc.integer({ min: 20, max: 35 }), // November 20 … December 5
    track: fc.constantFrom('Rehabilitering (§ 83a)', 'Komplekst forløb', '', 'rehab'),
    prio: fc.constantFrom('1', '2', '3', '', 'x', '10'),
  });

  it('every note is an item or excluded once; one item per citizen; rehab first; slots never overlap', () => {
    fc.assert(
      fc.property(fc.uniqueArray(arbNote, { selector: (n) => n.id, maxLength: 40 }), (specs) => {
        const notes = specs.map((s) =>
          note(s.citizenId, {
            id: s.id,
            createDate: new Date(Date.UTC(2026, 10, s.createDay, 9)).toISOString(),
            items: { Forløbstype: s.track, Prioritet: s.prio },
          }),
        );
        const a = build(notes);
        const all = [...a.items.map((i) => i.noteId), ...a.excluded.map((e) => e.noteId)].sort((x, y) => x - y);
        expect(all).toEqual(notes.map((n) => n.id).sort((x, y) => x - y));
        expect(new Set(a.items.map((i) => i.citizenId)).size).toBe(a.items.length);
        const tracks = a.items.map((i) => i.track);
        expect(tracks).toEqual([...tracks].sort((x, y) => (x === y ? 0 : x === 'rehab' ? -1 : 1)));
        for (let i = 1; i < a.items.length; i++) expect(a.items[i].start >= a.items[i - 1].end).toBe(true);
        for (const e of a.excluded.filter((x) => x.reason === 'LATE_NOTE')) {
          expect(specs.find((s) => s.id === e.noteId)!.createDay).toBeGreaterThan(30);
        }
      }),
    );
  });
});
