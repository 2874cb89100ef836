import { PermanentError } from '../common/errors';
import { addCalendarDays, copenhagenDate, parseInstant } from '../common/local-time';
import { cutoffDate, parseHhmm } from './meeting-calendar';
import { hasDementia, isAttached, missingRelations, organisationKey, RelationNames, RelationWarning } from './relations.rules';
import { tagKey, tagMatch } from './tags';

/**
 * The agenda of one meeting ("Tværfagligt samarbejdsmøde", DOMAIN.md §A), built from the candidate
 * notes by rules 1–7 of issue 4 and the coordinator's-process rules of issue 17. Pure: everything it
 * needs is passed in, nothing is read or written.
 */

export type Track = 'rehab' | 'complex';
/**
 * TAG_VARIANT: taken only because tags compare normalised (another dash, case or spacing).
 * TIME_OUTSIDE_TRACK_HOUR: the coordinator's time lies outside its track's hour; kept as set.
 * NOTE_LOCKED: the note was locked before the meeting; it keeps its place, nothing is written on it.
 */
export type ItemWarning = 'NO_TRACK' | 'TAG_VARIANT' | 'TIME_OUTSIDE_TRACK_HOUR' | 'NOTE_LOCKED' | RelationWarning;
/**
 * INVALID_NOTE: the note's creation time is not a timestamp, so rule 1 cannot be decided.
 * NOT_ON_MEETING_DATE: tagged, but observed in the 13 days before the meeting (or on a series meeting
 * skipped for a public holiday) instead of on the meeting date.
 */
export type ExclusionReason = 'LATE_NOTE' | 'DUPLICATE_NOTE' | 'INVALID_NOTE' | 'NOT_ON_MEETING_DATE';
export type AgendaWarning = 'OVERFLOW';
/** Who chose an item's time: a person in Nexus (kept as is) or this service (free to move it). */
export type TimeSetBy = 'coordinator' | 'tsm-bridge';

/** Note item labels the rules read (the form's labels in Nexus). */
export const ITEM = {
  track: 'Forløbstype',
  priority: 'Prioritet',
  inviteGp: 'Inviter egen læge',
  time: 'Tidspunkt',
} as const;

/** Days before the meeting in which a tagged note's observation date is reported as off-date (meeting − 13 … − 1). */
export const OFF_DATE_DAYS = 13;

export interface CandidateNote {
  id: number;
  version: number;
  citizenId: number;
  formTitle: string;
  tags: readonly string[];
  createDate: string;
  observationTimestamp: string;
  items: Readonly<Record<string, string>>;
  /** Saved as locked in Nexus: no time can be written on it. */
  locked?: boolean;
}

export interface CitizenFacts {
  conditions: readonly string[];
  /** Names of the organisations attached to the citizen (relations). */
  organisations: readonly string[];
}

/** Explicit "Forløbstype" values per track (AGENDA_TRACK_VALUES), checked before the built-in rules. */
export type TrackValues = Partial<Record<Track, readonly string[]>>;

export interface AgendaRules {
  startTime: string;
  slotMinutes: number;
  trackMinutes: number;
  cutoffDays: number;
  formTitle: string;
  tag: string;
  organisations: RelationNames;
  trackValues?: TrackValues;
  /** The note's time item label (NEXUS_TIME_ITEM_LABEL); "Tidspunkt" when absent. */
  timeItem?: string;
}

export interface AgendaInput {
  meetingDate: string;
  rules: AgendaRules;
  notes: readonly CandidateNote[];
  citizens: ReadonlyMap<number, CitizenFacts>;
  /** The time this service last wrote on each note for this meeting (the publish step's record). */
  writtenTimes?: ReadonlyMap<number, string>;
  /** Series meetings before this one that were not held (public holidays): their notes are reported here. */
  skippedDates?: readonly string[];
}

export interface AgendaItem {
  noteId: number;
  noteVersion: number;
  citizenId: number;
  track: Track;
  start: string;
  end: string;
  timeSetBy: TimeSetBy;
  /** The note is locked: nothing may be written on it. */
  locked: boolean;
  /** The integer "Prioritet", or null when missing or not a whole number. */
  priority: number | null;
  /** "Prioritet" had text that is not a whole number (treated as missing). */
  priorityInvalid: boolean;
  createDate: string;
  organisations: string[];
  dementia: boolean;
  /** Note item "Inviter egen læge" = "Ja". */
  inviteGp: boolean;
  warnings: ItemWarning[];
}

export interface ExcludedNote {
  noteId: number;
  citizenId: number;
  reason: ExclusionReason;
  /** NOT_ON_MEETING_DATE: the note's observation date (Copenhagen), for the coordinator to move it. */
  observationDate?: string;
}

export interface Agenda {
  meetingDate: string;
  items: AgendaItem[];
  excluded: ExcludedNote[];
  warnings: AgendaWarning[];
}

/** The published shape (CLI --json, snapshots): ids, times and codes only. */
export interface AgendaDocument {
  district: string;
  meetingDate: string;
  /** The agenda's real end (the Teams invitation's end), null for an empty agenda. */
  end: string | null;
  items: Array<{
    noteId: number;
    citizenId: number;
    track: Track;
    start: string;
    end: string;
    timeSetBy: TimeSetBy;
    warnings: ItemWarning[];
  }>;
  excluded: ExcludedNote[];
  warnings: AgendaWarning[];
}

const yes = (v: string | undefined) => (v ?? '').trim().toLocaleLowerCase('da') === 'ja';

/**
 * Rule 3 (issue 17): "Forløbstype" normalised as tags are. Explicit AGENDA_TRACK_VALUES first; then
 * containing "§83a" → rehab ("SEL § 83 A" too), starting with "kompleks" → complex; anything else, or
 * nothing, is not a track: placed in the complex hour with NO_TRACK. No guessing from "rehab" anywhere:
 * "Kompleks – ikke rehabiliteringspotentiale" is complex.
 */
export function trackOf(items: Readonly<Record<string, string>>, values: TrackValues = {}): { track: Track; missing: boolean } {
  const key = tagKey(items[ITEM.track] ?? '');
  for (const track of ['rehab', 'complex'] as const) {
    if ((values[track] ?? []).some((v) => tagKey(v) === key && key !== '')) return { track, missing: false };
  }
  if (key.includes('§83a')) return { track: 'rehab', missing: false };
  if (key.startsWith('kompleks')) return { track: 'complex', missing: false };
  return { track: 'complex', missing: true };
}

/** Rule 4's priority: whole numbers only; empty → missing; anything else → missing and flagged invalid. */
export function priorityOf(items: Readonly<Record<string, string>>): { priority: number | null; invalid: boolean } {
  const text = (items[ITEM.priority] ?? '').trim();
  if (!text) return { priority: null, invalid: false };
  if (!/^[+-]?\d{1,15}$/.test(text)) return { priority: null, invalid: true };
  return { priority: Number(text), invalid: false };
}

export function formatMinutes(total: number): string {
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

interface Candidate {
  note: CandidateNote;
  created: number;
  tagVariant: boolean;
}

/** Newer first; the higher note id wins a tie (ids grow with creation in Nexus). */
const latestFirst = (a: Candidate, b: Candidate) => b.created - a.created || b.note.id - a.note.id;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The coordinator's time on a note, or null: a valid HH:MM in the time item that this service did not
 * write there (no record) or that differs from what it last wrote. The seed has the coordinator
 * "tilrette tidspunkterne"; such a time is never moved, overwritten or cleared.
 */
export function coordinatorTime(
  note: Pick<CandidateNote, 'id' | 'items'>,
  timeItem: string,
  written: ReadonlyMap<number, string> = new Map(),
): string | null {
  const value = (note.items[timeItem] ?? '').trim();
  if (!HHMM.test(value)) return null;
  return written.get(note.id) === value ? null : value;
}

export function buildAgenda(input: AgendaInput): Agenda {
  const { meetingDate, rules } = input;
  const excluded: ExcludedNote[] = [];
  const lastOnTimeDate = cutoffDate(rules, meetingDate);
  const firstOffDate = addCalendarDays(meetingDate, -OFF_DATE_DAYS);
  const skipped = new Set(input.skippedDates ?? []);

  // Candidates: configured form title and tag (compared normalised), observation date D. A tagged note
  // observed shortly before D (or on a skipped holiday meeting) was meant for a meeting but will reach
  // none: it is reported, not dropped silently.
  const onTime: Candidate[] = [];
  for (const note of input.notes) {
    const tag = tagMatch(note.tags, rules.tag);
    if (note.formTitle !== rules.formTitle || tag === null) continue;
    const observed = parseInstant(note.observationTimestamp);
    const created = parseInstant(note.createDate);
    if (observed && copenhagenDate(observed) !== meetingDate) {
      const day = copenhagenDate(observed);
      if ((day >= firstOffDate && day < meetingDate) || skipped.has(day)) {
        excluded.push({ noteId: note.id, citizenId: note.citizenId, reason: 'NOT_ON_MEETING_DATE', observationDate: day });
      }
      continue;
    }
    if (!observed || !created) {
      excluded.push({ noteId: note.id, citizenId: note.citizenId, reason: 'INVALID_NOTE' });
      continue;
    }
    // Rule 1: created on a calendar date after D − cutoffDays.
    if (copenhagenDate(created) > lastOnTimeDate) {
      excluded.push({ noteId: note.id, citizenId: note.citizenId, reason: 'LATE_NOTE' });
      continue;
    }
    onTime.push({ note, created: created.getTime(), tagVariant: tag === 'variant' });
  }

  // Rule 2: one item per citizen, the latest created note.
  const byCitizen = new Map<number, Candidate[]>();
  for (const c of onTime) byCitizen.set(c.note.citizenId, [...(byCitizen.get(c.note.citizenId) ?? []), c]);
  const chosen: Candidate[] = [];
  for (const group of byCitizen.values()) {
    const [latest, ...older] = [...group].sort(latestFirst);
    chosen.push(latest);
    for (const o of older) excluded.push({ noteId: o.note.id, citizenId: o.note.citizenId, reason: 'DUPLICATE_NOTE' });
  }

  // Rules 3, 4 and 6 per item.
  const timeItem = rules.timeItem ?? ITEM.time;
  const unslotted = chosen.map(({ note, created, tagVariant }) => {
    const facts = input.citizens.get(note.citizenId) ?? { conditions: [], organisations: [] };
    const { track, missing } = trackOf(note.items, rules.trackValues);
    const { priority, invalid } = priorityOf(note.items);
    const dementia = hasDementia(facts.conditions, note.items);
    const warnings: ItemWarning[] = [
      ...(missing ? (['NO_TRACK'] as const) : []),
      ...(tagVariant ? (['TAG_VARIANT'] as const) : []),
      ...(note.locked ? (['NOTE_LOCKED'] as const) : []),
      ...missingRelations(facts.organisations, dementia, rules.organisations).map((m) => m.warning),
    ];
    const fixed = coordinatorTime(note, timeItem, input.writtenTimes);
    return { note, created, track, priority, priorityInvalid: invalid, dementia, organisations: [...facts.organisations], warnings, fixed };
  });

  // Rule 4: rehab first; Prioritet ascending with missing last; then creation time; then note id.
  unslotted.sort(
    (a, b) =>
      (a.track === b.track ? 0 : a.track === 'rehab' ? -1 : 1) ||
      (a.priority ?? Infinity) - (b.priority ?? Infinity) ||
      a.created - b.created ||
      a.note.id - b.note.id,
  );

  // Rule 5 (issue 17): the coordinator's times stay; each occupies [T, T + slot). The service's own
  // items take, in priority order, the earliest free slot on the grid: rehab from the start, complex
  // from max(start + one track, end of the last rehab item). A slot is free when it overlaps nothing.
  const { hour, minute } = parseHhmm(rules.startTime);
  const start = hour * 60 + minute;
  const slot = rules.slotMinutes;
  const occupied: Array<[number, number]> = unslotted
    .filter((i) => i.fixed)
    .map((i) => [parseMinutes(i.fixed!), parseMinutes(i.fixed!) + slot]);
  const isFree = (at: number) => occupied.every(([from, to]) => at + slot <= from || at >= to);
  const place = (from: number): number => {
    let at = from;
    while (!isFree(at)) at += slot;
    // A slot must end by 23:59: "24:00" is no time of day (Nexus's time item and parseHhmm refuse it).
    if (at + slot >= 24 * 60) {
      throw new PermanentError(`agenda for ${meetingDate} runs past midnight (${unslotted.length} items)`, 'AGENDA_PAST_MIDNIGHT');
    }
    occupied.push([at, at + slot]);
    return at;
  };
  const startOf = new Map<(typeof unslotted)[number], number>();
  for (const i of unslotted) if (i.fixed) startOf.set(i, parseMinutes(i.fixed));
  for (const i of unslotted.filter((x) => x.track === 'rehab' && !x.fixed)) startOf.set(i, place(start));
  const rehabEnd = Math.max(start, ...unslotted.filter((i) => i.track === 'rehab').map((i) => startOf.get(i)! + slot));
  for (const i of unslotted.filter((x) => x.track === 'complex' && !x.fixed))
    startOf.set(i, place(Math.max(start + rules.trackMinutes, rehabEnd)));

  const hourOf = (track: Track): [number, number] =>
    track === 'rehab' ? [start, start + rules.trackMinutes] : [start + rules.trackMinutes, start + 2 * rules.trackMinutes];
  const items: AgendaItem[] = unslotted.map((i) => {
    const at = startOf.get(i)!;
    const [from, to] = hourOf(i.track);
    const outside = i.fixed !== null && (at < from || at >= to);
    return {
      noteId: i.note.id,
      noteVersion: i.note.version,
      citizenId: i.note.citizenId,
      track: i.track,
      start: formatMinutes(at),
      end: formatMinutes(at + slot),
      timeSetBy: i.fixed ? 'coordinator' : 'tsm-bridge',
      locked: i.note.locked === true,
      priority: i.priority,
      priorityInvalid: i.priorityInvalid,
      createDate: i.note.createDate,
      organisations: i.organisations,
      dementia: i.dementia,
      inviteGp: yes(i.note.items[ITEM.inviteGp]),
      warnings: outside ? [...i.warnings, 'TIME_OUTSIDE_TRACK_HOUR'] : i.warnings,
    };
  });
  // Listed by start time; equal starts (two coordinator times alike) keep priority order (stable sort).
  items.sort((a, b) => parseMinutes(a.start) - parseMinutes(b.start));

  const lastEnd = Math.max(start, ...items.map((i) => parseMinutes(i.end)));
  const warnings: AgendaWarning[] = lastEnd > start + 2 * rules.trackMinutes ? ['OVERFLOW'] : [];
  excluded.sort((a, b) => a.noteId - b.noteId);
  return { meetingDate, items, excluded, warnings };
}

function parseMinutes(hhmm: string): number {
  const { hour, minute } = parseHhmm(hhmm);
  return hour * 60 + minute;
}

/** Rule 7: an organisation sees only the citizens whose relations include it. */
export function viewFor(agenda: Agenda, organisation: string): AgendaItem[] {
  return agenda.items.filter((i) => isAttached(i.organisations, organisation));
}

/** Every organisation attached to at least one citizen on the agenda, in order of first appearance. */
export function attachedOrganisations(agenda: Agenda): string[] {
  const seen = new Map<string, string>();
  for (const i of agenda.items) for (const o of i.organisations) if (!seen.has(organisationKey(o))) seen.set(organisationKey(o), o);
  return [...seen.values()];
}

/** When the agenda really ends: the latest item end (a coordinator's time may end after the last start), null when empty. */
export function agendaEnd(agenda: Pick<Agenda, 'items'>): string | null {
  return (
    agenda.items
      .map((i) => i.end)
      .sort()
      .pop() ?? null
  );
}

export function toAgendaDocument(districtId: string, agenda: Agenda): AgendaDocument {
  return {
    district: districtId,
    meetingDate: agenda.meetingDate,
    end: agendaEnd(agenda),
    items: agenda.items.map((i) => ({
      noteId: i.noteId,
      citizenId: i.citizenId,
      track: i.track,
      start: i.start,
      end: i.end,
      timeSetBy: i.timeSetBy,
      warnings: [...i.warnings],
    })),
    excluded: agenda.excluded.map((e) => ({
      noteId: e.noteId,
      citizenId: e.citizenId,
      reason: e.reason,
      ...(e.observationDate ? { observationDate: e.observationDate } : {}),
    })),
    warnings: [...agenda.warnings],
  };
}
