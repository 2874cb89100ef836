/**
 * What a GP letter says: one mapping from a meeting note to the letter's subject and text, used by
 * both the after-meeting flow and `tsm-bridge medcom preview` so the preview shows exactly what is sent.
 * Pure: no I/O, no formats (XDIS91/FHIR limits are the builders' business).
 */

/** The parts of a note the letter is built from (Nexus notes and sandbox seed notes both fit). */
export interface GpLetterNote {
  id: number;
  formTitle: string;
  /** Form items by label, in the form's order. */
  items: Record<string, string>;
}

export interface GpLetterCitizen {
  firstName: string;
  lastName: string;
}

export interface GpLetterContent {
  subject: string;
  /** Plain text; "\n" separates lines, an empty line separates sections. */
  text: string;
}

export interface GpLetterContentOptions {
  /** The item holding the note's subject ("Emne"). */
  subjectLabel?: string;
  /** Items that steer the workflow rather than assess the citizen (GP_LETTER_EXCLUDED_ITEMS). */
  omitLabels?: readonly string[];
}

export const DEFAULT_SUBJECT_LABEL = 'Emne';
/**
 * The default GP_LETTER_EXCLUDED_ITEMS: the letter carries only the assessment (issue 17), not the
 * meeting's workflow items (who is invited, re-visitation, organisations to attach, the home-care
 * task) nor the agenda's own time and priority.
 */
export const DEFAULT_OMITTED_LABELS: readonly string[] = [
  'Send til egen læge',
  'Inviter egen læge',
  'Revisitation',
  'Tilknyt organisation',
  'Opgave til hjemmeplejen',
  'Tidspunkt',
  'Prioritet',
];

/**
 * Subject: the note's "Emne", or "Tværfagligt samarbejdsmøde <date>" when it has none.
 * Text: an opening line naming the meeting and the citizen, then every other non-empty item as
 * "Label:" followed by its value, sections separated by an empty line.
 */
export function noteToGpLetterContent(
  note: GpLetterNote,
  citizen: GpLetterCitizen,
  meetingDate: string,
  opts: GpLetterContentOptions = {},
): GpLetterContent {
  const subjectLabel = opts.subjectLabel ?? DEFAULT_SUBJECT_LABEL;
  const omitted = new Set([subjectLabel, ...(opts.omitLabels ?? DEFAULT_OMITTED_LABELS)].map(labelKey));
  const date = danishDate(meetingDate);
  const subject = oneLine(note.items[subjectLabel] ?? '') || `Tværfagligt samarbejdsmøde ${date}`;

  const sections = [
    `${note.formTitle} fra tværfagligt samarbejdsmøde ${date} vedrørende ${oneLine(`${citizen.firstName} ${citizen.lastName}`)}.`,
  ];
  for (const [label, value] of Object.entries(note.items)) {
    if (omitted.has(labelKey(label))) continue;
    const body = normaliseLines(value);
    if (body) sections.push(`${oneLine(label)}:\n${body}`);
  }
  return { subject, text: sections.join('\n\n') };
}

/** YYYY-MM-DD → DD.MM.YYYY, as Danish letters write dates. */
export function danishDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) throw new RangeError('meeting date must be YYYY-MM-DD');
  return `${m[3]}.${m[2]}.${m[1]}`;
}

function labelKey(label: string): string {
  return oneLine(label).toLowerCase();
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Unifies line endings, trims each line's end and drops leading/trailing empty lines. */
function normaliseLines(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}
