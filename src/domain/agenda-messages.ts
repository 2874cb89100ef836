import { agendaEnd, type Agenda, type AgendaItem, type ItemWarning } from './agenda.builder';
import { danishDate } from './gp-letter.content';
import { missingRelations, RelationNames } from './relations.rules';

/**
 * The words tsm-bridge writes when it publishes an agenda: Nexus tasks (Nexus is the system of
 * record, so citizen names may appear there, never CPR numbers), the GP's invitation and the Teams
 * mail. Pure: names come in from the caller, and the Teams mail takes none.
 */
export interface MeetingRef {
  districtName: string;
  meetingDate: string;
  startTime: string;
  location?: string;
  teamsUrl: string;
}

/** What the coordinator must act on, as ids and codes: the same issues always give the same report. */
export interface CoordinatorIssues {
  late: Array<{ noteId: number; citizenId: number }>;
  duplicates: Array<{ noteId: number; citizenId: number }>;
  invalid: Array<{ noteId: number; citizenId: number }>;
  missingRelations: Array<{ noteId: number; citizenId: number; start: string; organisations: string[] }>;
  noTrack: Array<{ noteId: number; citizenId: number; start: string }>;
  invalidPriority: Array<{ noteId: number; citizenId: number; start: string }>;
  /** End of the last item when the agenda overflows its two hours. */
  overflowEnd?: string;
  gpInvitationFailures: Array<{ noteId: number; citizenId: number; code: string }>;
  /** Tagged notes observed before the meeting date (or on a skipped holiday meeting): on no agenda. */
  offDate: Array<{ noteId: number; citizenId: number; observationDate: string }>;
  /** Taken although the tag was spelt differently (TAG_VARIANT). */
  tagVariants: Array<{ noteId: number; citizenId: number; start: string }>;
  /** Locked before the meeting (NOTE_LOCKED): on the agenda, but no time could be written. */
  locked: Array<{ noteId: number; citizenId: number; start: string }>;
  /** The coordinator's time outside its track's hour (TIME_OUTSIDE_TRACK_HOUR): kept as set. */
  outsideTrackHour: Array<{ noteId: number; citizenId: number; start: string }>;
}

export type CitizenNames = ReadonlyMap<number, string>;

const longDate = new Intl.DateTimeFormat('da-DK', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "Tværfagligt samarbejdsmøde Solhøj torsdag den 3. december 2026" */
export function meetingName(m: MeetingRef): string {
  return `Tværfagligt samarbejdsmøde ${m.districtName} ${longDate.format(new Date(`${m.meetingDate}T00:00:00Z`))}`;
}

export function meetingHeading(m: MeetingRef): string {
  return `${meetingName(m)} kl. ${m.startTime}`;
}

const trackLabel = (t: AgendaItem['track']) => (t === 'rehab' ? 'rehabilitering (§ 83a)' : 'komplekst forløb');
const who = (names: CitizenNames, citizenId: number) => names.get(citizenId) ?? `borger ${citizenId}`;

export function coordinatorIssues(
  agenda: Agenda,
  relationNames: RelationNames,
  gpFailures: CoordinatorIssues['gpInvitationFailures'] = [],
): CoordinatorIssues {
  const byReason = (r: string) => agenda.excluded.filter((e) => e.reason === r).map(({ noteId, citizenId }) => ({ noteId, citizenId }));
  // Items are listed by start time, but a coordinator's time may end later than the last one starts.
  const lastEnd = agendaEnd(agenda);
  const withWarning = (w: ItemWarning) =>
    agenda.items.filter((i) => i.warnings.includes(w)).map(({ noteId, citizenId, start }) => ({ noteId, citizenId, start }));
  return {
    late: byReason('LATE_NOTE'),
    duplicates: byReason('DUPLICATE_NOTE'),
    invalid: byReason('INVALID_NOTE'),
    missingRelations: agenda.items
      .map((i) => ({
        noteId: i.noteId,
        citizenId: i.citizenId,
        start: i.start,
        organisations: missingRelations(i.organisations, i.dementia, relationNames).map((m) => m.organisation),
      }))
      .filter((m) => m.organisations.length > 0),
    noTrack: agenda.items
      .filter((i) => i.warnings.includes('NO_TRACK'))
      .map(({ noteId, citizenId, start }) => ({ noteId, citizenId, start })),
    invalidPriority: agenda.items.filter((i) => i.priorityInvalid).map(({ noteId, citizenId, start }) => ({ noteId, citizenId, start })),
    ...(agenda.warnings.includes('OVERFLOW') && lastEnd ? { overflowEnd: lastEnd } : {}),
    gpInvitationFailures: gpFailures,
    offDate: agenda.excluded
      .filter((e) => e.reason === 'NOT_ON_MEETING_DATE')
      .map(({ noteId, citizenId, observationDate }) => ({ noteId, citizenId, observationDate: observationDate ?? '' })),
    tagVariants: withWarning('TAG_VARIANT'),
    locked: withWarning('NOTE_LOCKED'),
    outsideTrackHour: withWarning('TIME_OUTSIDE_TRACK_HOUR'),
  };
}

export function hasIssues(i: CoordinatorIssues): boolean {
  return (
    i.late.length +
      i.duplicates.length +
      i.invalid.length +
      i.missingRelations.length +
      i.noTrack.length +
      i.invalidPriority.length +
      i.gpInvitationFailures.length +
      i.offDate.length +
      i.tagVariants.length +
      i.locked.length +
      i.outsideTrackHour.length >
      0 || i.overflowEnd !== undefined
  );
}

export interface TaskText {
  title: string;
  description: string;
}

/** The task to one organisation: its citizens' slots. `ref` tells revisions apart (and lets a rerun find the task). */
export function invitationTask(
  m: MeetingRef,
  organisation: string,
  items: readonly AgendaItem[],
  names: CitizenNames,
  ref: string,
): TaskText {
  const lines = [
    `Invitation til ${meetingHeading(m)}.`,
    m.location ? `Sted: ${m.location} (eller Teams: ${m.teamsUrl})` : `Teams: ${m.teamsUrl}`,
    '',
    `Borgere med ${organisation} på relationerne (deltag i jeres tidspunkter):`,
    ...items.map((i) => `- ${i.start}–${i.end} ${who(names, i.citizenId)}, ${trackLabel(i.track)} (notat ${i.noteId})`),
    '',
    'Notatet "Samlet faglig vurdering" på borgeren beskriver, hvad mødet skal drøfte.',
  ];
  return {
    title: `Tværfagligt samarbejdsmøde ${danishDate(m.meetingDate)}: invitation til ${organisation} [${ref}]`,
    description: lines.join('\n'),
  };
}

/** The short notice of an empty agenda (issue 17): no citizen on it, so no invitations go out. */
export const EMPTY_AGENDA_TEXT = 'Der er ingen borgere på dagsordenen';

/** The mail to the district's unit mailboxes when an empty agenda has no note to hang a Nexus task on: no personal data. */
export function emptyAgendaMail(m: MeetingRef): { subject: string; body: string } {
  return {
    subject: `${meetingHeading(m)}: ingen borgere på dagsordenen`,
    body: [`${EMPTY_AGENDA_TEXT} til ${meetingHeading(m)}.`, 'Der sendes derfor ingen invitationer til mødet.'].join('\n'),
  };
}

/**
 * The coordinating organisation's task: late notes, missing relations and whatever else needs a person.
 * An agenda without items says so first ("ingen borgere på dagsordenen"), in the title too.
 */
export function coordinatorTask(
  m: MeetingRef,
  issues: CoordinatorIssues,
  names: CitizenNames,
  ref: string,
  autoAttached: ReadonlyArray<{ citizenId: number; organisation: string }> = [],
  opts: { empty?: boolean } = {},
): TaskText {
  const section = (heading: string, rows: string[]) => (rows.length ? ['', heading, ...rows.map((r) => `- ${r}`)] : []);
  const lines = [
    ...(opts.empty ? [`${EMPTY_AGENDA_TEXT} til ${meetingHeading(m)}; der sendes ingen invitationer.`] : []),
    ...(opts.empty && !hasIssues(issues) ? [] : [`Dagsorden til ${meetingHeading(m)}: punkter der kræver koordinators handling.`]),
    ...section(
      'For sent oprettede notater (ikke på dagsordenen):',
      issues.late.map((n) => `${who(names, n.citizenId)} (notat ${n.noteId})`),
    ),
    ...section(
      'Flere notater for samme borger (kun det nyeste er på dagsordenen):',
      issues.duplicates.map((n) => `${who(names, n.citizenId)} (notat ${n.noteId})`),
    ),
    ...section(
      'Notater uden gyldigt oprettelsestidspunkt (ikke på dagsordenen):',
      issues.invalid.map((n) => `${who(names, n.citizenId)} (notat ${n.noteId})`),
    ),
    ...section(
      'Manglende organisationer på borgerens relationer:',
      issues.missingRelations.map((r) => `${r.start} ${who(names, r.citizenId)}: ${r.organisations.join(', ')}`),
    ),
    ...section(
      `Notater med en anden observationsdato end mødedatoen (ikke på nogen dagsorden; nærmeste møde er ${danishDate(m.meetingDate)}):`,
      issues.offDate.map((n) => `${who(names, n.citizenId)} (notat ${n.noteId}, observationsdato ${danishDate(n.observationDate)})`),
    ),
    ...section(
      'Uden genkendt forløbstype (placeret som komplekst forløb):',
      issues.noTrack.map((r) => `${r.start} ${who(names, r.citizenId)} (notat ${r.noteId})`),
    ),
    ...section(
      'Prioritet er ikke et helt tal (placeret sidst i sit forløb):',
      issues.invalidPriority.map((r) => `${r.start} ${who(names, r.citizenId)} (notat ${r.noteId})`),
    ),
    ...section(
      'Tagget med en anden stavemåde af tagget (alligevel taget med på dagsordenen):',
      issues.tagVariants.map((r) => `${r.start} ${who(names, r.citizenId)} (notat ${r.noteId})`),
    ),
    ...section(
      'Notatet er allerede låst (bevarer sin plads; tidspunktet kunne ikke skrives på notatet):',
      issues.locked.map((r) => `${r.start} ${who(names, r.citizenId)} (notat ${r.noteId})`),
    ),
    ...section(
      'Tidspunkt sat af koordinator uden for forløbets time (bevaret):',
      issues.outsideTrackHour.map((r) => `${r.start} ${who(names, r.citizenId)} (notat ${r.noteId})`),
    ),
    ...section(
      'Egen læge kunne ikke inviteres via MedCom:',
      issues.gpInvitationFailures.map((f) => `${who(names, f.citizenId)} (notat ${f.noteId}): ${f.code}`),
    ),
    ...(issues.overflowEnd ? ['', `Dagsordenen går ud over de afsatte to timer: sidste punkt slutter kl. ${issues.overflowEnd}.`] : []),
    ...section(
      'Tilknyttet automatisk af tsm-bridge:',
      autoAttached.map((a) => `${who(names, a.citizenId)}: ${a.organisation}`),
    ),
  ];
  const what = opts.empty ? 'ingen borgere på dagsordenen' : 'til koordinator';
  return { title: `Tværfagligt samarbejdsmøde ${danishDate(m.meetingDate)}: ${what} [${ref}]`, description: lines.join('\n') };
}

/** The GP's invitation to the citizen's slot (the MedCom letter carries the patient; the text does not repeat it). */
export function gpInvitation(m: MeetingRef, item: Pick<AgendaItem, 'start' | 'end'>): { subject: string; text: string } {
  return {
    subject: `Invitation: tværfagligt samarbejdsmøde ${danishDate(m.meetingDate)} kl. ${item.start}`,
    text: [
      'Kære egen læge',
      '',
      `Du inviteres til ${meetingName(m)} kl. ${item.start}–${item.end}, hvor din patient drøftes.`,
      m.location ? `Mødet holdes i ${m.location}. Du kan også deltage via Microsoft Teams:` : 'Du kan deltage via Microsoft Teams:',
      m.teamsUrl,
      '',
      'Venlig hilsen',
      `Koordinerende rolle, ${m.districtName}`,
    ].join('\n'),
  };
}

/** The Teams mail that carries the calendar invitation: no personal data. `end`: the agenda's real end. */
export function teamsInvitationMail(m: MeetingRef, end?: string): { subject: string; body: string } {
  return {
    subject: meetingHeading(m),
    body: [
      end ? `${meetingHeading(m)}–${end}.` : `${meetingHeading(m)}.`,
      'Den vedhæftede kalenderinvitation indeholder Teams-linket til mødet.',
      'Du deltager i den del af mødet, du er inviteret til; dagsordenen findes i Nexus.',
    ].join('\n'),
  };
}
