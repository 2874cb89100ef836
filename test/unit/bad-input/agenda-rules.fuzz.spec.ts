import fc from 'fast-check';
import { PermanentError } from '../../../src/common/errors';
import { AgendaRules, buildAgenda, CandidateNote, CitizenFacts, toAgendaDocument } from '../../../src/domain/agenda.builder';
import { addCalendarDays, copenhagenDate, parseInstant } from '../../../src/common/local-time';
import { cutoffDate, parseHhmm } from '../../../src/domain/meeting-calendar';
import { tagMatch } from '../../../src/domain/tags';

/**
 * The agenda rules against hostile and random input: notes from any Nexus (broken timestamps,
 * other forms and tags, duplicate citizens, any item text), citizens missing from the facts, and
 * any valid series settings. Whatever comes in, the builder either returns an agenda that keeps
 * every rule or refuses with a classified error; it never crashes and never leaks note text.
 */
const D = '2026-12-03';
const FORM = 'Samlet faglig vurdering';
const TAG = 'ÆS – Tværfagligt samarbejdsmøde';
const ORGS = { visitator: 'Visitator', dementia: 'Demensspecialister', nurses: ['Sygeplejersker'] };

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

const arbRules: fc.Arbitrary<AgendaRules> = fc.record({
  startTime: hhmm,
  slotMinutes: fc.integer({ min: 1, max: 60 }),
  trackMinutes: fc.integer({ min: 1, max: 180 }),
  cutoffDays: fc.integer({ min: 0, max: 14 }),
  formTitle: fc.constant(FORM),
  tag: fc.constant(TAG),
  organisations: fc.constant(ORGS),
});

/** Timestamps as Nexus and hand-edited data produce them: valid around the cut-off and DST, offsets without colon, garbage. */
const arbTimestamp = fc.oneof(
  fc
    .record({
      day: fc.integer({ min: 15, max: 40 }),
      hour: fc.integer({ min: 0, max: 23 }),
      off: fc.constantFrom('Z', '+01:00', '+0100', '+02:00', '-05:00'),
    })
    .map(({ day, hour, off }) => {
      const d = new Date(Date.UTC(2026, 10, day, hour));
      return `${d.toISOString().slice(0, 13)}:30:00${off}`;
    }),
  fc.constantFrom(
    `${D}T00:00:00+01:00`,
    `${D}T23:30:00Z`,
    '2026-12-02T23:30:00Z',
    '2026-11-30T23:59:59.999+01:00',
    '2026-12-01T00:00:00+0100',
  ),
  fc.constantFrom('', 'yesterday', '2026-13-45T99:99:99Z', '2026-12-03', 'NaN', '0', '2026-12-03T10:00:00'),
  fc.string({ maxLength: 30 }),
);

const arbItems = fc.oneof(
  fc.dictionary(
    fc.constantFrom('Forløbstype', 'Prioritet', 'Inviter egen læge', 'Demens', 'Emne', '__proto__', 'constructor'),
    fc.string({ maxLength: 40 }),
  ),
  fc.record({
    Forløbstype: fc.constantFrom('Rehabilitering (§ 83a)', '§ 83a – rehabilitering', 'Komplekst forløb', 'REHAB', '', '  '),
    Prioritet: fc.constantFrom('1', '2', '3', '007', '-1', '+2', '', 'Høj', '1.5', '999999999999999999'),
    'Inviter egen læge': fc.constantFrom('Ja', 'ja ', 'Nej', ''),
    Demens: fc.constantFrom('Ja', 'Nej', ''),
    Emne: fc.string({ maxLength: 60 }),
  }),
);

/** Mostly notes a real meeting has (few distinct creation times, so ties happen), some hostile. */
const often = <T>(usual: fc.Arbitrary<T>, rare: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: usual, weight: 4 }, { arbitrary: rare, weight: 1 });
const arbNoteSpec = fc.record({
  id: fc.integer({ min: 1, max: 100_000 }),
  citizenId: fc.integer({ min: 1, max: 15 }),
  formTitle: often(fc.constant(FORM), fc.constantFrom('Handleplan', `${FORM} `)),
  tags: often<string[]>(fc.constantFrom([TAG], [TAG, 'Andet'], ['æs- tværfagligt samarbejdsmøde']), fc.constantFrom(['Andet'], [])),
  createDate: often(
    fc.constantFrom('2026-11-20T09:00:00+01:00', '2026-11-25T14:00:00+0100', '2026-11-30T23:59:59.999+01:00'),
    arbTimestamp,
  ),
  observationTimestamp: often(fc.constant(`${D}T00:00:00+01:00`), arbTimestamp),
  items: arbItems,
});

const arbFacts: fc.Arbitrary<CitizenFacts> = fc.record({
  conditions: fc.array(fc.constantFrom('Demens', 'Alzheimers demens', 'KOL', 'diabetes', ''), { maxLength: 3 }),
  organisations: fc.array(fc.constantFrom('Visitator', ' visitator ', 'Demensspecialister', 'Sygeplejersker', 'Hjemmeplejen'), {
    maxLength: 4,
  }),
});

const arbInput = fc.record({
  rules: arbRules,
  specs: fc.uniqueArray(arbNoteSpec, { selector: (n) => n.id, maxLength: 60 }),
  facts: fc.array(fc.tuple(fc.integer({ min: 1, max: 15 }), arbFacts), { maxLength: 15 }),
});

const toNotes = (specs: Array<Omit<CandidateNote, 'version'>>): CandidateNote[] => specs.map((s) => ({ ...s, version: 1 }));
const minutes = (t: string) => {
  const { hour, minute } = parseHhmm(t);
  return hour * 60 + minute;
};

/**
 * The notes the rules consider: the meeting's form and tag (any spelling), observed on D (or with a
 * timestamp that cannot be read), or observed in the 13 days before D (reported NOT_ON_MEETING_DATE).
 */
function isCandidate(n: CandidateNote, rules: AgendaRules): boolean {
  if (n.formTitle !== rules.formTitle || tagMatch(n.tags, rules.tag) === null) return false;
  const observed = parseInstant(n.observationTimestamp);
  if (!observed) return true;
  const day = copenhagenDate(observed);
  return day === D || (day >= addCalendarDays(D, -13) && day < D);
}

describe('agenda rules under random and hostile notes (fast-check)', () => {
  it('found by this fuzzing: a last slot ending exactly at midnight is refused as AGENDA_PAST_MIDNIGHT, not a RangeError', () => {
    const rules: AgendaRules = {
      startTime: '20:56',
      slotMinutes: 38,
      trackMinutes: 108,
      cutoffDays: 0,
      formTitle: FORM,
      tag: TAG,
      organisations: ORGS,
    };
    const notes = toNotes(
      [1, 2].map((id) => ({
        id,
        citizenId: id,
        formTitle: FORM,
        tags: [TAG],
        createDate: '2026-11-20T09:00:00+01:00',
        observationTimestamp: `${D}T00:00:00+01:00`,
        items: {},
      })),
    );
    expect(() => buildAgenda({ meetingDate: D, rules, notes, citizens: new Map() })).toThrow(
      expect.objectContaining({ code: 'AGENDA_PAST_MIDNIGHT' }),
    );
  });

  it('every candidate is an item or excluded exactly once, one item per citizen, rehab before complex, slots strictly increasing from the start', () => {
    fc.assert(
      fc.property(arbInput, ({ rules, specs, facts }) => {
        const notes = toNotes(specs);
        let agenda;
        try {
          agenda = buildAgenda({ meetingDate: D, rules, notes, citizens: new Map(facts) });
        } catch (err) {
          // The only refusal: more items than fit before midnight, classified and without note content.
          expect(err).toBeInstanceOf(PermanentError);
          expect((err as PermanentError).code).toBe('AGENDA_PAST_MIDNIGHT');
          return;
        }
        const candidates = notes.filter((n) => isCandidate(n, rules));
        const placed = [...agenda.items.map((i) => i.noteId), ...agenda.excluded.map((e) => e.noteId)].sort((a, b) => a - b);
        expect(placed).toEqual(candidates.map((n) => n.id).sort((a, b) => a - b));

        const citizensWithItems = agenda.items.map((i) => i.citizenId);
        expect(new Set(citizensWithItems).size).toBe(citizensWithItems.length);

        const firstComplex = agenda.items.findIndex((i) => i.track === 'complex');
        if (firstComplex >= 0) expect(agenda.items.slice(firstComplex).every((i) => i.track === 'complex')).toBe(true);

        const start = minutes(rules.startTime);
        agenda.items.forEach((item, k) => {
          expect(minutes(item.start)).toBeGreaterThanOrEqual(start);
          expect(minutes(item.end) - minutes(item.start)).toBe(rules.slotMinutes);
          if (k > 0) expect(minutes(item.start)).toBeGreaterThanOrEqual(minutes(agenda.items[k - 1].end));
          if (k > 0) expect(minutes(item.start)).toBeGreaterThan(minutes(agenda.items[k - 1].start));
          if (item.track === 'complex') expect(minutes(item.start)).toBeGreaterThanOrEqual(start + rules.trackMinutes);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('every exclusion has the reason the rules give, and no excluded note beats the item chosen for its citizen', () => {
    fc.assert(
      fc.property(arbInput, ({ rules, specs, facts }) => {
        const notes = toNotes(specs);
        const byId = new Map(notes.map((n) => [n.id, n]));
        let agenda;
        try {
          agenda = buildAgenda({ meetingDate: D, rules, notes, citizens: new Map(facts) });
        } catch {
          return;
        }
        const lastOnTime = cutoffDate(rules, D);
        for (const e of agenda.excluded) {
          const n = byId.get(e.noteId)!;
          expect(e.citizenId).toBe(n.citizenId);
          const created = parseInstant(n.createDate);
          if (e.reason === 'INVALID_NOTE') expect(!created || !parseInstant(n.observationTimestamp)).toBe(true);
          if (e.reason === 'LATE_NOTE') expect(copenhagenDate(created!) > lastOnTime).toBe(true);
          if (e.reason === 'NOT_ON_MEETING_DATE')
            expect(e.observationDate! < D && e.observationDate! >= addCalendarDays(D, -13)).toBe(true);
          if (e.reason === 'DUPLICATE_NOTE') {
            const chosen = agenda.items.find((i) => i.citizenId === n.citizenId)!;
            const chosenCreated = parseInstant(byId.get(chosen.noteId)!.createDate)!.getTime();
            expect(chosenCreated > created!.getTime() || (chosenCreated === created!.getTime() && chosen.noteId > n.id)).toBe(true);
          }
        }
        for (const i of agenda.items) {
          const created = parseInstant(byId.get(i.noteId)!.createDate);
          expect(created && copenhagenDate(created) <= lastOnTime).toBe(true);
        }
        expect(agenda.excluded.map((e) => e.noteId)).toEqual([...agenda.excluded.map((e) => e.noteId)].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it('the order in which Nexus returns the notes changes nothing', () => {
    fc.assert(
      fc.property(arbInput, fc.integer(), ({ rules, specs, facts }, shuffleSeed) => {
        const notes = toNotes(specs);
        const shuffled = [...notes].sort((a, b) => ((a.id * 2654435761 + shuffleSeed) >>> 0) - ((b.id * 2654435761 + shuffleSeed) >>> 0));
        const run = (list: CandidateNote[]) => {
          try {
            return buildAgenda({ meetingDate: D, rules, notes: list, citizens: new Map(facts) });
          } catch (err) {
            return (err as PermanentError).code;
          }
        };
        expect(run(shuffled)).toEqual(run(notes));
      }),
      { numRuns: 200 },
    );
  });

  it('the published agenda carries ids, times and codes, never a note text', () => {
    const marker = fc
      .string({ minLength: 6, maxLength: 20 })
      .filter((s) => /[a-zæøå]{4}/i.test(s))
      .map((s) => `ZZ${s}QQ`);
    fc.assert(
      fc.property(arbRules, fc.array(fc.tuple(fc.integer({ min: 1, max: 10 }), marker), { minLength: 1, maxLength: 10 }), (rules, rows) => {
        const notes = rows.map(([citizenId, text], k) => ({
          id: k + 1,
          version: 1,
          citizenId,
          formTitle: FORM,
          tags: [TAG],
          createDate: '2026-11-01T09:00:00+01:00',
          observationTimestamp: `${D}T00:00:00+01:00`,
          items: { Emne: text, Forløbstype: text, Prioritet: text },
        }));
        let doc: string;
        try {
          doc = JSON.stringify(toAgendaDocument('solhoej', buildAgenda({ meetingDate: D, rules, notes, citizens: new Map() })));
        } catch (err) {
          expect((err as PermanentError).code).toBe('AGENDA_PAST_MIDNIGHT');
          return;
        }
        for (const [, text] of rows) expect(doc).not.toContain(text);
      }),
      { numRuns: 150 },
    );
  });
});
