import {
  checkChildrenRequest,
  ChildrenRequestFacts,
  classifyUnit,
  fitsMeetingWindow,
  RULE_MESSAGES,
} from '../../../src/domain/children-meeting.rules';
import { WorkingDayCalendar } from '../../../src/domain/working-days';

const calendar = new WorkingDayCalendar();
const base: ChildrenRequestFacts = {
  consentGiven: true,
  externalUnits: ['Sundhedstjenesten'],
  localUnitType: 'skole',
  placeType: 'skole',
  start: new Date('2026-03-23T09:00:00Z'), // Monday 10:00 Copenhagen
  now: new Date('2026-01-05T08:00:00Z'),
  calendar,
  homeVisitWindowExempt: false,
};
const codes = (f: Partial<ChildrenRequestFacts>) => {
  const out = checkChildrenRequest({ ...base, ...f });
  return out.ok ? [] : out.violations.map((v) => v.code);
};

describe('one external unit', () => {
  it.each([
    [['Sundhedstjenesten'], [], 'sundhedstjenesten'],
    [['KE'], [], 'ke'],
    [['Kompetenceenheden (KE)'], [], 'ke'],
    [['  kompetenceenheden '], [], 'ke'],
    [['Kompetence-enheden'], [], 'ke'],
    [['Kompetence enheden'], [], 'ke'],
    [['KOMPETENCEENHEDEN'], [], 'ke'],
    [['Kompetence-enheden', 'KE'], [], 'ke'],
    [['Kompetenceenheden (KE)', 'kompetenceenheden', 'ke'], [], 'ke'],
    [['(KE)'], [], 'ke'],
    [['Sundheds-tjenesten'], [], 'sundhedstjenesten'],
    [['Børne- og Familierådgivningen'], ['UNIT_NOT_ALLOWED'], undefined],
    [['Børne og familierådgivningen'], ['UNIT_NOT_ALLOWED'], undefined],
    [['Sundhedstjenesten', 'sundhedstjenesten'], [], 'sundhedstjenesten'],
    [['Sundhedstjenesten', 'KE'], ['USE_TVAERFAGLIGT_DIALOGMOEDE'], undefined],
    [['Ungeenheden'], ['UNIT_NOT_ALLOWED'], undefined],
    [['Børne- og Familierådgivningen'], ['UNIT_NOT_ALLOWED'], undefined],
    [['Boerne- og familieraadgivningen'], ['UNIT_NOT_ALLOWED'], undefined],
    [['BFR'], ['UNIT_NOT_ALLOWED'], undefined],
    [['KE', 'Ungeenheden'], ['UNIT_NOT_ALLOWED', 'USE_TVAERFAGLIGT_DIALOGMOEDE'], undefined],
    [['Tandplejen'], ['UNKNOWN_UNIT'], undefined],
    [[], ['EXTERNAL_UNIT_MISSING'], undefined],
  ])('%j → %j', (externalUnits, expected, unit) => {
    const out = checkChildrenRequest({ ...base, externalUnits });
    expect(out.ok ? [] : out.violations.map((v) => v.code)).toEqual(expected);
    if (out.ok) expect(out.unit).toBe(unit);
  });

  it('classifies unit names', () => {
    expect(classifyUnit('Ungeenheden')).toEqual({ kind: 'excluded' });
    expect(classifyUnit('sundhedstjenesten')).toEqual({ kind: 'allowed', id: 'sundhedstjenesten' });
    expect(classifyUnit('PPR')).toEqual({ kind: 'unknown' });
  });
});

describe('consent', () => {
  it('rejects a request without consent', () => {
    expect(codes({ consentGiven: false })).toEqual(['CONSENT_MISSING']);
  });
  it('reports every violation at once, consent first', () => {
    expect(codes({ consentGiven: false, externalUnits: ['KE', 'Sundhedstjenesten'], start: new Date('2026-03-24T09:00:00Z') })).toEqual([
      'CONSENT_MISSING',
      'USE_TVAERFAGLIGT_DIALOGMOEDE',
      'OUTSIDE_MEETING_WINDOW',
    ]);
  });
});

describe('meeting windows (Monday 08:00–15:00, Thursday 09:15–16:00, Europe/Copenhagen)', () => {
  it.each([
    // around the spring change 2026-03-29 (CET → CEST)
    ['2026-03-23T07:00:00Z', true, 'Mon 08:00 CET'],
    ['2026-03-23T06:59:00Z', false, 'Mon 07:59 CET'],
    ['2026-03-23T13:00:00Z', true, 'Mon 14:00–15:00 CET'],
    ['2026-03-23T13:01:00Z', false, 'Mon 14:01 CET ends after 15:00'],
    ['2026-03-23T13:00:30Z', false, 'Mon 14:00:30 CET ends 15:00:30, after the window (to the second)'],
    ['2026-03-23T13:00:00.001Z', false, 'Mon 14:00:00.001 ends after 15:00'],
    ['2026-03-23T06:59:59Z', false, 'Mon 07:59:59 starts before 08:00'],
    ['2026-03-26T14:00:01Z', false, 'Thu 15:00:01 CET ends 16:00:01'],
    ['2026-03-30T06:00:00Z', true, 'Mon 08:00 CEST'],
    ['2026-03-30T05:30:00Z', false, 'Mon 07:30 CEST (08:30 if the offset were still +1)'],
    ['2026-03-30T12:00:00Z', true, 'Mon 14:00–15:00 CEST'],
    ['2026-03-30T12:30:00Z', false, 'Mon 14:30 CEST ends 15:30 (fits at +1)'],
    ['2026-03-26T08:15:00Z', true, 'Thu 09:15 CET'],
    ['2026-03-26T08:14:00Z', false, 'Thu 09:14 CET'],
    ['2026-03-26T14:00:00Z', true, 'Thu 15:00–16:00 CET'],
    ['2026-04-09T07:15:00Z', true, 'Thu 09:15 CEST'],
    ['2026-04-09T07:00:00Z', false, 'Thu 09:00 CEST (10:00 at +1)'],
    ['2026-04-09T13:30:00Z', false, 'Thu 15:30 CEST ends 16:30'],
    // around the autumn change 2026-10-25 (CEST → CET)
    ['2026-10-19T06:00:00Z', true, 'Mon 08:00 CEST'],
    ['2026-10-26T07:00:00Z', true, 'Mon 08:00 CET'],
    ['2026-10-26T06:30:00Z', false, 'Mon 07:30 CET (08:30 at +2)'],
    ['2026-10-22T13:00:00Z', true, 'Thu 15:00–16:00 CEST'],
    ['2026-10-29T14:00:00Z', true, 'Thu 15:00–16:00 CET'],
    ['2026-10-29T14:30:00Z', false, 'Thu 15:30 CET ends 16:30'],
    ['2026-10-29T08:00:00Z', false, 'Thu 09:00 CET (10:00 at +2)'],
    ['2026-10-29T08:14:00Z', false, 'Thu 09:14 CET'],
    // other weekdays
    ['2026-03-24T09:00:00Z', false, 'Tuesday'],
    ['2026-03-25T09:00:00Z', false, 'Wednesday'],
    ['2026-03-27T09:00:00Z', false, 'Friday'],
    ['2026-03-28T09:00:00Z', false, 'Saturday'],
    ['2026-03-29T09:00:00Z', false, 'Sunday (DST change)'],
  ])('%s fits = %s (%s)', (iso, fits) => {
    expect(fitsMeetingWindow(new Date(iso))).toBe(fits);
    expect(codes({ start: new Date(iso) })).toEqual(fits ? [] : ['OUTSIDE_MEETING_WINDOW']);
  });

  it.each([
    ['2026-04-02T08:15:00Z', 'skærtorsdag'],
    ['2026-04-06T07:00:00Z', '2. påskedag'],
    ['2026-05-14T08:15:00Z', 'Kristi himmelfartsdag'],
    ['2026-05-25T07:00:00Z', '2. pinsedag'],
  ])('rejects a Monday/Thursday that is a public holiday: %s (%s)', (iso) => {
    expect(codes({ start: new Date(iso) })).toEqual(['MEETING_ON_PUBLIC_HOLIDAY']);
  });

  it('rejects a start in the past', () => {
    expect(codes({ start: new Date('2026-01-05T07:00:00Z'), now: new Date('2026-01-05T08:00:00Z') })).toEqual(['PROPOSED_START_IN_PAST']);
  });
});

describe('sundhedspleje home meetings', () => {
  const tuesdayEvening = new Date('2026-03-24T17:00:00Z');
  it('by default the windows hold in the home too (seed: "I dagtilbud, skole eller i barnets hjem")', () => {
    expect(base.homeVisitWindowExempt).toBe(false); // as the config's default
    expect(codes({ localUnitType: 'sundhedspleje', placeType: 'hjem', start: tuesdayEvening })).toEqual(['OUTSIDE_MEETING_WINDOW']);
    expect(codes({ localUnitType: 'sundhedspleje', placeType: 'hjem', start: new Date('2026-12-26T09:00:00Z') })).toEqual([
      'OUTSIDE_MEETING_WINDOW',
    ]);
    expect(codes({ localUnitType: 'sundhedspleje', placeType: 'hjem' })).toEqual([]);
  });
  it.each([
    ['sundhedspleje', 'hjem', true, []],
    ['sundhedspleje', 'hjem', false, ['OUTSIDE_MEETING_WINDOW']],
    ['sundhedspleje', 'dagtilbud', true, ['OUTSIDE_MEETING_WINDOW']],
    ['skole', 'hjem', true, ['OUTSIDE_MEETING_WINDOW']],
    ['dagtilbud', 'hjem', true, ['OUTSIDE_MEETING_WINDOW']],
  ] as const)('%s at %s (exempt=%s) → %j', (localUnitType, placeType, homeVisitWindowExempt, expected) => {
    expect(codes({ localUnitType, placeType, homeVisitWindowExempt, start: tuesdayEvening })).toEqual(expected);
  });
});

describe('messages', () => {
  it('has a Danish and an English message for every code', () => {
    for (const m of Object.values(RULE_MESSAGES)) {
      expect(m.da.length).toBeGreaterThan(10);
      expect(m.en.length).toBeGreaterThan(10);
    }
  });
});
