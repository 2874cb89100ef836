import { createHash } from 'node:crypto';
import { copenhagenDate, parseInstant } from '../common/local-time';
import { danishDate } from './gp-letter.content';

/**
 * What a locked meeting note asks tsm-bridge to do afterwards (DOMAIN.md §A "After the meeting").
 * Pure rules: the note's items in, follow-ups and their deterministic identities out.
 */

/** The form item labels the rules read; local configuration in Nexus, so they come from config. */
export interface FollowUpLabels {
  sendToGp: string; // "Send til egen læge": Ja/Nej
  homeCareTask: string; // "Opgave til hjemmeplejen": free text
  attachOrganisations: string; // "Tilknyt organisation": organisation names
  revisitation: string; // "Revisitation": Ja/Nej
}

export interface FollowUpOrganisations {
  homeCare: string;
  coordinator: string;
  visitator: string;
}

export type FollowUpTaskKind = 'homecare' | 'attach-organisations' | 'unknown-organisation' | 'revisitation';

/**
 * The elderly-care meeting's name, which task titles carry ("Samarbejdsmøde" alone is the children's
 * meeting; seed 004: "Tværfagligt samarbejdsmøde").
 */
export const MEETING_TYPE = 'Tværfagligt samarbejdsmøde';

/** Title prefix of every follow-up task of one meeting (ISO date: the agenda's own tasks write DD.MM.YYYY). */
export function followUpTitlePrefix(meetingDate: string): string {
  return `${MEETING_TYPE} ${meetingDate}:`;
}

export interface FollowUps {
  sendToGp: boolean;
  homeCareTask?: string;
  attachOrganisations: string[];
  revisitation: boolean;
}

export interface NoteVersionRef {
  noteId: number;
  noteVersion: number;
}

export interface FollowUpTask {
  kind: FollowUpTaskKind;
  organisationName: string;
  /** Carries only ids and the meeting date; it is how a task of unknown outcome is found again. */
  title: string;
  description: string;
  dueDate: string;
  /** Ledger key: the task's content, not the note version, so a correction repeats only changed tasks. */
  ledgerKey: string;
}

/** "Ja" in any case, with or without surrounding blanks; anything else (Nej, empty, missing) is no. */
export function isYes(value: string | undefined): boolean {
  return (value ?? '').trim().toLowerCase() === 'ja';
}

/** Organisation names separated by commas, semicolons or line breaks; blanks and repeats dropped. */
export function parseOrganisationList(value: string | undefined): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of (value ?? '').split(/[,;\n\r]+/)) {
    const name = raw.trim().replace(/\s+/g, ' ');
    const key = name.toLowerCase();
    if (!name || seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out;
}

export function followUpsOf(items: Record<string, string>, labels: FollowUpLabels): FollowUps {
  const homeCare = (items[labels.homeCareTask] ?? '').trim();
  return {
    sendToGp: isYes(items[labels.sendToGp]),
    ...(homeCare ? { homeCareTask: homeCare } : {}),
    attachOrganisations: parseOrganisationList(items[labels.attachOrganisations]),
    revisitation: isYes(items[labels.revisitation]),
  };
}

/** The meeting date of a note: its observation date in Europe/Copenhagen (YYYY-MM-DD). */
export function meetingDateOf(observationTimestamp: string): string {
  const at = new Date(timestampMs(observationTimestamp));
  if (Number.isNaN(at.getTime())) throw new RangeError('observation timestamp is not a date');
  return copenhagenDate(at);
}

/** Milliseconds of a timestamp, NaN when it is none (the local-time module's one rule for offsets). */
export function timestampMs(ts: string): number {
  return parseInstant(ts)?.getTime() ?? Number.NaN;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** BullMQ job ids may not contain ':'; these are stable for a note version, so a repeat enqueue is a no-op. */
export function flowJobId(ref: NoteVersionRef): string {
  return `note-${ref.noteId}-v${ref.noteVersion}`;
}

export function noteVersionKey(ref: NoteVersionRef): string {
  return `${ref.noteId}:${ref.noteVersion}`;
}

export function meetingId(districtId: string, meetingDate: string): string {
  return `${districtId}/${meetingDate}`;
}

/** One letter per note version and GP practice, forever (MedCom port ledger key). */
export function letterIdempotencyKey(ref: NoteVersionRef, ydernummer: string): string {
  return `medcom:note:${ref.noteId}:v${ref.noteVersion}:gp:${ydernummer}`;
}

/** The source reference eDoc keeps in the document title: one document per note version. */
export function documentSourceId(ref: NoteVersionRef): string {
  return `nexus-note-${ref.noteId}-v${ref.noteVersion}`;
}

export function documentTitle(ref: NoteVersionRef, meetingDate: string, correctionOf?: number): string {
  const base = `Tværfagligt samarbejdsmøde ${meetingDate} - notat ${ref.noteId} v${ref.noteVersion}`;
  return correctionOf ? `${base} (rettelse af v${correctionOf})` : base;
}

const KIND_TITLE: Record<FollowUpTaskKind, string> = {
  homecare: 'opgave til hjemmeplejen',
  'attach-organisations': 'tilknyt organisation',
  'unknown-organisation': 'ukendt organisation',
  revisitation: 'revisitation',
};

/**
 * How an organisation name from the note is known in Nexus: its Nexus spelling, or null when Nexus
 * has no such organisation. Without one, every name is taken as written.
 */
export type OrganisationResolver = (name: string) => string | null;

/** The coordinator's text when a name to attach is not an organisation in Nexus (UNKNOWN_ORGANISATION). */
export function unknownOrganisationText(names: readonly string[], meetingDate: string): string {
  return [
    `Mødet ${danishDate(meetingDate)} har besluttet, at borgeren tilknyttes en organisation, som ikke findes i Nexus (UNKNOWN_ORGANISATION):`,
    ...names.map((n) => `- "${n}"`),
    'Find den rigtige organisation, og send den en opgave om at blive tilknyttet borgeren – eller ret navnet i notatet.',
  ].join('\n');
}

/** The task to a newly attached organisation (seed 004: "den koordinerende rolle sende en opgave på dette"). */
export function attachOrganisationText(organisation: string, meetingDate: string): string {
  return (
    `${MEETING_TYPE} ${danishDate(meetingDate)} har besluttet, at borgeren skal tilknyttes ${organisation}. ` +
    'Tilknyt jer borgeren under "Organisationer tilknyttet borgeren", så I kan se borgeren og deltage ved næste møde.'
  );
}

/**
 * The Nexus tasks a note asks for. Titles hold ids (and organisation names) only; the description
 * carries what the meeting decided, which belongs in Nexus (the citizen's own record) and nowhere else.
 * Organisations to attach each get their own task; names Nexus does not know go to the coordinator.
 */
export function followUpTasks(
  ref: NoteVersionRef,
  meetingDate: string,
  followUps: FollowUps,
  orgs: FollowUpOrganisations,
  dueInDays: number,
  resolveOrganisation: OrganisationResolver = (name) => name,
): FollowUpTask[] {
  const dueDate = addDays(meetingDate, dueInDays);
  const make = (kind: FollowUpTaskKind, organisationName: string, description: string, what = KIND_TITLE[kind]): FollowUpTask => ({
    kind,
    organisationName,
    title: `${followUpTitlePrefix(meetingDate)} ${what} (notat ${ref.noteId} v${ref.noteVersion})`,
    description,
    dueDate,
    ledgerKey: `nexus-task:note:${ref.noteId}:${kind}:${contentHash(organisationName, description)}`,
  });
  const tasks: FollowUpTask[] = [];
  if (followUps.homeCareTask) {
    tasks.push(make('homecare', orgs.homeCare, followUps.homeCareTask));
  }
  const unknown: string[] = [];
  const attach = new Map<string, string>();
  for (const name of followUps.attachOrganisations) {
    const known = resolveOrganisation(name);
    if (known === null) unknown.push(name);
    else if (![...attach.keys()].some((k) => k.toLowerCase() === known.toLowerCase())) attach.set(known, name);
  }
  for (const organisation of [...attach.keys()].sort((a, b) => a.localeCompare(b, 'da'))) {
    tasks.push(
      make(
        'attach-organisations',
        organisation,
        attachOrganisationText(organisation, meetingDate),
        `${KIND_TITLE['attach-organisations']} ${organisation}`,
      ),
    );
  }
  if (unknown.length) {
    tasks.push(
      make(
        'unknown-organisation',
        orgs.coordinator,
        unknownOrganisationText(
          [...unknown].sort((a, b) => a.localeCompare(b, 'da')),
          meetingDate,
        ),
      ),
    );
  }
  if (followUps.revisitation) {
    tasks.push(make('revisitation', orgs.visitator, `Mødet har besluttet revisitation. Revisitér og dokumentér (notat ${ref.noteId}).`));
  }
  return tasks;
}

function contentHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}
