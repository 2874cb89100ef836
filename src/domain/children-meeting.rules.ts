import { COPENHAGEN, localParts } from '../common/local-time';

/**
 * The rules of a children's "Samarbejdsmøde" (DOMAIN.md §B, seed 000_227175614a01caec): one extra
 * professional perspective from exactly one external unit, with the parents' consent, at a time the
 * external units hold these meetings.
 */

export type LocalUnitType = 'dagtilbud' | 'skole' | 'sundhedspleje';
export type PlaceType = 'dagtilbud' | 'skole' | 'hjem';
export type ExternalUnitId = 'sundhedstjenesten' | 'ke';

export type ChildrenRuleCode =
  | 'CONSENT_MISSING'
  | 'EXTERNAL_UNIT_MISSING'
  | 'UNIT_NOT_ALLOWED'
  | 'UNKNOWN_UNIT'
  | 'USE_TVAERFAGLIGT_DIALOGMOEDE'
  | 'OUTSIDE_MEETING_WINDOW'
  | 'MEETING_ON_PUBLIC_HOLIDAY'
  | 'PROPOSED_START_IN_PAST';

export interface BilingualMessage {
  da: string;
  en: string;
}

export interface RuleViolation {
  code: ChildrenRuleCode;
  message: BilingualMessage;
}

export const RULE_MESSAGES: Record<ChildrenRuleCode, BilingualMessage> = {
  CONSENT_MISSING: {
    da: 'Forældrenes samtykke mangler. Et samarbejdsmøde kræver samtykke.',
    en: "The parents' consent is missing. A collaboration meeting requires consent.",
  },
  EXTERNAL_UNIT_MISSING: {
    da: 'Vælg én ekstern enhed: Sundhedstjenesten eller Kompetenceenheden (KE).',
    en: 'Choose one external unit: Sundhedstjenesten or Kompetenceenheden (KE).',
  },
  UNIT_NOT_ALLOWED: {
    da: 'Børne- og Familierådgivningen og Ungeenheden deltager ikke i samarbejdsmøder.',
    en: 'Børne- og Familierådgivningen and Ungeenheden do not take part in collaboration meetings.',
  },
  UNKNOWN_UNIT: {
    da: 'Ukendt ekstern enhed. Vælg Sundhedstjenesten eller Kompetenceenheden (KE).',
    en: 'Unknown external unit. Choose Sundhedstjenesten or Kompetenceenheden (KE).',
  },
  USE_TVAERFAGLIGT_DIALOGMOEDE: {
    da: 'Et samarbejdsmøde har kun én ekstern enhed. Skal flere faggrupper inviteres, skal der indkaldes til et Tværfagligt Dialogmøde i stedet.',
    en: 'A collaboration meeting has exactly one external unit. To invite more than one professional group, call a Tværfagligt Dialogmøde (interdisciplinary dialogue meeting) instead.',
  },
  OUTSIDE_MEETING_WINDOW: {
    da: 'Mødet (ca. 1 time) skal ligge mandag kl. 8.00–15.00 eller torsdag kl. 9.15–16.00.',
    en: 'The meeting (about one hour) must fall on a Monday 08:00–15:00 or a Thursday 09:15–16:00 (Copenhagen time).',
  },
  MEETING_ON_PUBLIC_HOLIDAY: {
    da: 'Mødedagen er en helligdag. Vælg en anden mandag eller torsdag.',
    en: 'The meeting day is a public holiday. Choose another Monday or Thursday.',
  },
  PROPOSED_START_IN_PAST: {
    da: 'Det foreslåede mødetidspunkt ligger i fortiden.',
    en: 'The proposed meeting time is in the past.',
  },
};

/** Accepted, but the local leader should know: codes of `warnings` in the submit answer. */
export type ChildrenWarningCode = 'MEETING_BEFORE_ACCEPT_DEADLINE';

export const WARNING_MESSAGES: Record<ChildrenWarningCode, BilingualMessage> = {
  MEETING_BEFORE_ACCEPT_DEADLINE: {
    da: 'Mødet ligger tidligere end 10 arbejdsdage efter anmodningen. Den eksterne enhed skal derfor acceptere senest ved udgangen af arbejdsdagen før mødet.',
    en: 'The meeting is sooner than 10 working days after the request. The external unit must therefore accept by the end of the working day before the meeting.',
  },
};

/** Names a local leader may write for each unit; matched after folding (see `fold`). */
const ALLOWED_UNITS: Record<ExternalUnitId, readonly string[]> = {
  sundhedstjenesten: ['sundhedstjenesten', 'sundhedstjeneste'],
  ke: ['ke', '(ke)', 'kompetenceenheden', 'kompetenceenhed'],
};
const EXCLUDED_UNITS: readonly string[] = [
  'born og familieradgivningen',
  'borne og familieradgivningen',
  'born og familieradgivning',
  'borne og familieradgivning',
  'bfr',
  'ungeenheden',
  'ungeenhed',
];

export const EXTERNAL_UNIT_NAMES: Record<ExternalUnitId, string> = {
  sundhedstjenesten: 'Sundhedstjenesten',
  ke: 'Kompetenceenheden (KE)',
};

/**
 * Case-folded, æ/ø/å and their spellings ae/oe/aa alike, with dashes, spaces and a "(KE)" ignored:
 * "Kompetence-enheden", "kompetenceenheden", "Kompetenceenheden (KE)" and "KE" are one unit.
 */
export function fold(name: string): string {
  const f = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/oe/g, 'o')
    .replace(/å/g, 'a')
    .replace(/aa/g, 'a')
    .replace(/[\s\-‐‑–—]+/g, '');
  const withoutKe = f.replace(/\(ke\)/g, '');
  return withoutKe || f;
}

const ALLOWED_BY_FOLDED = new Map<string, ExternalUnitId>(
  (Object.entries(ALLOWED_UNITS) as Array<[ExternalUnitId, readonly string[]]>).flatMap(([id, names]) =>
    names.map((n) => [fold(n), id] as [string, ExternalUnitId]),
  ),
);
const EXCLUDED_FOLDED = new Set(EXCLUDED_UNITS.map(fold));

export type UnitClass = { kind: 'allowed'; id: ExternalUnitId } | { kind: 'excluded' } | { kind: 'unknown' };

export function classifyUnit(name: string): UnitClass {
  const f = fold(name);
  const id = ALLOWED_BY_FOLDED.get(f);
  if (id) return { kind: 'allowed', id };
  return EXCLUDED_FOLDED.has(f) ? { kind: 'excluded' } : { kind: 'unknown' };
}

/** Weekday (0 = Sunday) and local clock window, in minutes after midnight. */
export interface MeetingWindow {
  weekday: number;
  fromMinute: number;
  toMinute: number;
}

export const MEETING_WINDOWS: readonly MeetingWindow[] = [
  { weekday: 1, fromMinute: 8 * 60, toMinute: 15 * 60 }, // Monday 08:00–15:00
  { weekday: 4, fromMinute: 9 * 60 + 15, toMinute: 16 * 60 }, // Thursday 09:15–16:00
];

/** "Mødetid ca. 1 time." */
export const MEETING_MINUTES = 60;

/** True when a meeting of `minutes` starting at `start` lies wholly inside one window on the local clock. */
export function fitsMeetingWindow(start: Date, minutes = MEETING_MINUTES, tz = COPENHAGEN): boolean {
  const s = localParts(start, tz);
  const e = localParts(new Date(start.getTime() + minutes * 60_000), tz);
  if (s.date !== e.date) return false;
  // Compared to the second: Monday 14:00:30 for an hour ends 15:00:30, after the window.
  // (Copenhagen's offsets are whole minutes, so the instant's seconds are the wall clock's.)
  const from = (s.hour * 60 + s.minute) * 60 + (start.getTime() / 1000 - Math.floor(start.getTime() / 60_000) * 60);
  const endMs = start.getTime() + minutes * 60_000;
  const to = (e.hour * 60 + e.minute) * 60 + (endMs / 1000 - Math.floor(endMs / 60_000) * 60);
  return MEETING_WINDOWS.some((w) => w.weekday === s.weekday && from >= w.fromMinute * 60 && to <= w.toMinute * 60);
}

export interface MeetingTimeFacts {
  start: Date;
  localUnitType: LocalUnitType;
  placeType: PlaceType;
  now: Date;
  /** Public holidays are no meeting days, even on a Monday or Thursday. */
  calendar: { isWorkingDay(date: string): boolean };
  /**
   * true: health visitors' home meetings are not bound to the windows. Default false: the seed puts
   * the windows on "dagtilbud, skole eller i barnets hjem" alike.
   */
  homeVisitWindowExempt: boolean;
}

/**
 * "Ved sundhedsplejens samarbejdsmøder i hjemmet foregår invitation telefonisk og aftaler registreres i
 * fagsystemer": the health visitors invite by phone, so no mail goes to the central mailbox.
 */
export function isHomeVisit(localUnitType: LocalUnitType, placeType: PlaceType): boolean {
  return localUnitType === 'sundhedspleje' && placeType === 'hjem';
}

/** The time rules, shared by the first meeting and follow-up meetings. */
export function checkMeetingTime(f: MeetingTimeFacts): RuleViolation[] {
  if (f.start.getTime() <= f.now.getTime()) return [violation('PROPOSED_START_IN_PAST')];
  if (f.homeVisitWindowExempt && isHomeVisit(f.localUnitType, f.placeType)) return [];
  if (!fitsMeetingWindow(f.start)) return [violation('OUTSIDE_MEETING_WINDOW')];
  return f.calendar.isWorkingDay(localParts(f.start).date) ? [] : [violation('MEETING_ON_PUBLIC_HOLIDAY')];
}

export interface ChildrenRequestFacts extends MeetingTimeFacts {
  consentGiven: boolean;
  externalUnits: readonly string[];
}

export type RuleOutcome = { ok: true; unit: ExternalUnitId } | { ok: false; violations: RuleViolation[] };

/**
 * Checks a request form against every rule and reports all violations, most fundamental first
 * (consent, then which unit, then time), so the local leader can fix them in one go.
 */
export function checkChildrenRequest(f: ChildrenRequestFacts): RuleOutcome {
  const violations: RuleViolation[] = [];
  if (!f.consentGiven) violations.push(violation('CONSENT_MISSING'));

  const classes = f.externalUnits.map((name) => ({ name, c: classifyUnit(name) }));
  if (classes.some(({ c }) => c.kind === 'excluded')) violations.push(violation('UNIT_NOT_ALLOWED'));
  if (classes.some(({ c }) => c.kind === 'unknown')) violations.push(violation('UNKNOWN_UNIT'));
  // Every distinct unit named, allowed or not, is one more professional group at the table.
  const distinct = new Set(classes.map(({ name, c }) => (c.kind === 'allowed' ? c.id : fold(name))));
  if (distinct.size > 1) violations.push(violation('USE_TVAERFAGLIGT_DIALOGMOEDE'));
  if (f.externalUnits.length === 0) violations.push(violation('EXTERNAL_UNIT_MISSING'));

  violations.push(...checkMeetingTime(f));
  const unit = classes[0]?.c;
  if (violations.length > 0 || unit?.kind !== 'allowed') return { ok: false, violations };
  return { ok: true, unit: unit.id };
}

export function violation(code: ChildrenRuleCode): RuleViolation {
  return { code, message: RULE_MESSAGES[code] };
}
