import { PermanentError } from '../common/errors';
import { copenhagenDate, cutoffDate, parseHhmm, parseInstant } from './meeting-calendar';
import { hasDementia, isAttached, missingRelations, organisationKey, RelationNames, RelationWarning } from './relations.rules';

/**
 * The agenda of one meeting ("Tværfagligt samarbejdsmøde", DOMAIN.md §A), built from the candidate
 * notes by rules 1–7 of issue 4. Pure: everything it needs is passed in, nothing is read or written.
 */

export type Track = 'rehab' | 'complex';
export type ItemWarning = 'NO_TRACK' | RelationWarning;
/** INVALID_NOTE: the note's creation time is not a timestamp, so rule 1 cannot be decided. */
export type ExclusionReason = 'LATE_NOTE' | 'DUPLICATE_NOTE' | 'INVALID_NOTE';
export type AgendaWarning = 'OVERFLOW';

/** Note item labels the rules read (the form's labels in Nexus). */
export const ITEM = {
  track: 'Forløbstype',
  priority: 'Prioritet',
  inviteGp: 'Inviter egen læge',
} as const;

export interface CandidateNote {
  id: number;
  version: number;
  citizenId: number;
  formTitle: string;
  tags: readonly string[];
  createDate: string;
  observationTimestamp: string;
  items: Readonly<Record<string, string>>;
}

export interface CitizenFacts {
  conditions: readonly string[];
  /** Names of the organisations attached to the citizen (relations). */
  organisations: readonly string[];
}

export interface AgendaRules {
  startTime: string;
  slotMinutes: number;
  trackMinutes: number;
  cutoffDays: number;
  formTitle: string;
  tag: string;
  organisations: RelationNames;
}

export interface AgendaInput {
  meetingDate: string;
  rules: AgendaRules;
  notes: readonly CandidateNote[];
  citizens: ReadonlyMap<number, CitizenFacts>;
}

export interface AgendaItem {
  noteId: number;
  noteVersion: number;
  citizenId: number;
  track: Track;
  start: string;
  end: string;
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
  items: Array<{ noteId: number; citizenId: number; track: Track; start: string; warnings: ItemWarning[] }>;
  excluded: ExcludedNote[];
  warnings: AgendaWarning[];
}

const yes = (v: string | undefined) => (v ?? '').trim().toLocaleLowerCase('da') === 'ja';

/** Rule 3: "Forløbstype" naming § 83a or rehab → rehab; other text → complex; none → complex + NO_TRACK. */
export function trackOf(items: Readonly<Record<string, string>>): { track: Track; missing: boolean } {
  const text = (items[ITEM.track] ?? '').trim();
  if (!text) return { track: 'complex', missing: true };
  const lower = text.toLocaleLowerCase('da');
  return { track: lower.includes('83a') || lower.includes('rehab') ? 'rehab' : 'complex', missing: false };
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
}

/** Newer first; the higher note id wins a tie (ids grow with creation in Nexus). */
const latestFirst = (a: Candidate, b: Candidate) => b.created - a.created || b.note.id - a.note.id;

export function buildAgenda(input: AgendaInput): Agenda {
  const { meetingDate, rules } = input;
  const excluded: ExcludedNote[] = [];
  const lastOnTimeDate = cutoffDate(rules, meetingDate);

  // Candidates: configured form title and tag, observation date D (the Nexus query already asks for
  // exactly this; checking again keeps the rule in one tested place whatever the adapter returns).
  const onTime: Candidate[] = [];
  for (const note of input.notes) {
    if (note.formTitle !== rules.formTitle || !note.tags.includes(rules.tag)) continue;
    const observed = parseInstant(note.observationTimestamp);
    const created = parseInstant(note.createDate);
    if (observed && copenhagenDate(observed) !== meetingDate) continue;
    if (!observed || !created) {
      excluded.push({ noteId: note.id, citizenId: note.citizenId, reason: 'INVALID_NOTE' });
      continue;
    }
    // Rule 1: created on a calendar date after D − cutoffDays.
    if (copenhagenDate(created) > lastOnTimeDate) {
      excluded.push({ noteId: note.id, citizenId: note.citizenId, reason: 'LATE_NOTE' });
      continue;
    }
    onTime.push({ note, created: created.getTime() });
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
  const unslotted = chosen.map(({ note, created }) => {
    const facts = input.citizens.get(note.citizenId) ?? { conditions: [], organisations: [] };
    const { track, missing } = trackOf(note.items);
    const { priority, invalid } = priorityOf(note.items);
    const dementia = hasDementia(facts.conditions, note.items);
    const warnings: ItemWarning[] = [
      ...(missing ? (['NO_TRACK'] as const) : []),
      ...missingRelations(facts.organisations, dementia, rules.organisations).map((m) => m.warning),
    ];
    return { note, created, track, priority, priorityInvalid: invalid, dementia, organisations: [...facts.organisations], warnings };
  });

  // Rule 4: rehab first; Prioritet ascending with missing last; then creation time; then note id.
  unslotted.sort(
    (a, b) =>
      (a.track === b.track ? 0 : a.track === 'rehab' ? -1 : 1) ||
      (a.priority ?? Infinity) - (b.priority ?? Infinity) ||
      a.created - b.created ||
      a.note.id - b.note.id,
  );

  // Rule 5: consecutive slots; complex from start + one track or the end of rehab, whichever is later.
  const { hour, minute } = parseHhmm(rules.startTime);
  const start = hour * 60 + minute;
  const rehabCount = unslotted.filter((i) => i.track === 'rehab').length;
  const complexStart = Math.max(start + rules.trackMinutes, start + rehabCount * rules.slotMinutes);
  const items: AgendaItem[] = unslotted.map((i, index) => {
    const at = i.track === 'rehab' ? start + index * rules.slotMinutes : complexStart + (index - rehabCount) * rules.slotMinutes;
    // A slot must end by 23:59: "24:00" is no time of day (Nexus's time item and parseHhmm refuse it).
    if (at + rules.slotMinutes >= 24 * 60) {
      throw new PermanentError(`agenda for ${meetingDate} runs past midnight (${unslotted.length} items)`, 'AGENDA_PAST_MIDNIGHT');
    }
    return {
      noteId: i.note.id,
      noteVersion: i.note.version,
      citizenId: i.note.citizenId,
      track: i.track,
      start: formatMinutes(at),
      end: formatMinutes(at + rules.slotMinutes),
      priority: i.priority,
      priorityInvalid: i.priorityInvalid,
      createDate: i.note.createDate,
      organisations: i.organisations,
      dementia: i.dementia,
      inviteGp: yes(i.note.items[ITEM.inviteGp]),
      warnings: i.warnings,
    };
  });

  const last = items[items.length - 1];
  const lastEnd = last ? parseMinutes(last.end) : start;
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

export function toAgendaDocument(districtId: string, agenda: Agenda): AgendaDocument {
  return {
    district: districtId,
    meetingDate: agenda.meetingDate,
    items: agenda.items.map((i) => ({ noteId: i.noteId, citizenId: i.citizenId, track: i.track, start: i.start, warnings: [...i.warnings] })),
    excluded: agenda.excluded.map((e) => ({ noteId: e.noteId, citizenId: e.citizenId, reason: e.reason })),
    warnings: [...agenda.warnings],
  };
}
