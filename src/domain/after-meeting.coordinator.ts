import { MEETING_TYPE } from './after-meeting.rules';
import { danishDate } from './gp-letter.content';
import { localToInstant } from '../common/local-time';
import { parseHhmm } from './meeting-calendar';
import type { WorkingDayCalendar } from './working-days';

/**
 * What the coordinator hears after the meeting (issue 17): the agenda notes still not locked, and
 * GP letters that cannot be delivered. Pure: ids, codes and names in, the task's words out. Names
 * come from Nexus and go back into Nexus only (the citizen's own record); never CPR numbers.
 */

// ---------------------------------------------------------------------------------------------
// Unlocked notes: seed 004 "gemmes notatet som låst (obligatorisk)".

export interface UnlockedTaskSettings {
  /** AFTER_MEETING_UNLOCKED_TASK_DAYS: the first task this many working days after the meeting. */
  afterWorkingDays: number;
  /** AFTER_MEETING_UNLOCKED_TASK_MAX: at most this many tasks per meeting (one per working day); 0 = none. */
  maxTasks: number;
}

/** The working day of the `round`-th reminder (1-based): the first after `afterWorkingDays`, then each working day. */
export function unlockedTaskDate(meetingDate: string, round: number, s: UnlockedTaskSettings, calendar: WorkingDayCalendar): string {
  if (!Number.isInteger(round) || round < 1) throw new RangeError(`round must be a positive integer: ${round}`);
  return calendar.addWorkingDays(meetingDate, s.afterWorkingDays + round - 1);
}

/** When the `round`-th reminder is due: the meeting's start time on its working day (Copenhagen). */
export function unlockedTaskInstant(
  startTime: string,
  meetingDate: string,
  round: number,
  s: UnlockedTaskSettings,
  calendar: WorkingDayCalendar,
): Date {
  const { hour, minute } = parseHhmm(startTime);
  return localToInstant(unlockedTaskDate(meetingDate, round, s, calendar), hour, minute);
}

/** BullMQ job id of one reminder: deterministic, so a second publication or a restart adds nothing. */
export function unlockedNotesJobId(districtId: string, meetingDate: string, round: number): string {
  return `after-meeting-unlocked-${districtId}-${meetingDate}-${round}`;
}

export interface UnlockedNote {
  noteId: number;
  citizenId: number;
  /** The note's slot on the agenda (HH:MM). */
  start: string;
}

export interface TaskText {
  title: string;
  description: string;
}

/** The reminder to the coordinator; the title is the same on a retry of the same round (a lost reply is found by it). */
export function unlockedNotesTask(
  meetingDate: string,
  notes: readonly UnlockedNote[],
  names: ReadonlyMap<number, string>,
  round: number,
  maxTasks: number,
): TaskText {
  const date = danishDate(meetingDate);
  const lines = [
    `Følgende notater fra ${MEETING_TYPE.toLowerCase()} ${date} er endnu ikke gemt som låst.`,
    'Når alt fra mødet er skrevet ind, skal notatet gemmes som låst (obligatorisk); først da journaliseres det, og opfølgningen (brev til egen læge, opgaver) sættes i gang.',
    '',
    ...[...notes]
      .sort((a, b) => a.start.localeCompare(b.start) || a.noteId - b.noteId)
      .map((n) => `- ${n.start} ${names.get(n.citizenId) ?? `borger ${n.citizenId}`} (notat ${n.noteId})`),
    '',
    round < maxTasks
      ? `Påmindelse ${round} af højst ${maxTasks}: der kommer en ny hver arbejdsdag, så længe et notat fra mødet ikke er låst.`
      : `Sidste påmindelse (${round} af ${maxTasks}).`,
  ];
  return { title: `${MEETING_TYPE} ${date}: notater der ikke er låst (påmindelse ${round})`, description: lines.join('\n') };
}

// ---------------------------------------------------------------------------------------------
// GP letters that cannot be delivered.

/**
 * Why a GP letter did not reach the GP, by the error code the letter's workflow records. The same
 * codes (and only these) make a coordinator's task; other failures are operations' (dead letters).
 */
export const UNDELIVERABLE_REASONS = {
  /** The directory has no GP for the citizen, or the practice is not in it (adapters/directory). */
  GP_UNKNOWN: 'Borgeren har ingen egen læge registreret, eller lægepraksis findes ikke i lægefortegnelsen. Brevet er ikke sendt.',
  /** The practice accepts no MedCom format this service sends. */
  GP_NO_FORMAT: 'Lægepraksis kan ikke modtage MedCom-breve i et format, vi kan sende. Brevet er ikke sendt.',
  /** A negative receipt from the practice (or VANS). */
  MEDCOM_REJECTED: 'Lægepraksis (eller VANS) har afvist brevet med en negativ kvittering. Brevet er ikke modtaget.',
  /** No receipt after the last resend (MEDCOM_MAX_RESENDS): given up. */
  MEDCOM_NO_RECEIPT:
    'Der er ikke kommet kvittering fra lægepraksis, heller ikke efter genfremsendelserne. Brevet er opgivet og må betragtes som ikke modtaget.',
  /** The citizen's name has characters the XDIS91 letter cannot carry. */
  NAME_NOT_REPRESENTABLE: 'Borgerens navn indeholder tegn, som MedCom-brevet (XDIS91) ikke kan gengive. Brevet er ikke sendt.',
} as const;

export type UndeliverableReason = keyof typeof UNDELIVERABLE_REASONS;

export function isUndeliverableReason(code: string | undefined): code is UndeliverableReason {
  return code !== undefined && Object.prototype.hasOwnProperty.call(UNDELIVERABLE_REASONS, code);
}

export type LetterKind = 'meeting-note' | 'meeting-invitation';

export interface UndeliverableLetter {
  noteId: number;
  noteVersion: number;
  kind: LetterKind;
  reason: UndeliverableReason;
  /** Absent when no letter was begun (no GP, a name the format cannot carry). */
  letterId?: string;
  /** The negative receipt's refusal code (MEDCOM_REJECTED). */
  refuseCode?: string;
}

/** One task per letter, forever: the letter id, or (no letter begun) the note version and kind. */
export function undeliverableLetterKey(l: Pick<UndeliverableLetter, 'letterId' | 'noteId' | 'noteVersion' | 'kind'>): string {
  return l.letterId ? `letter-${l.letterId}` : `note-${l.noteId}-v${l.noteVersion}-${l.kind}`;
}

/** BullMQ job id of the report (ids only, no ':'). */
export function undeliverableLetterJobId(l: Pick<UndeliverableLetter, 'letterId' | 'noteId' | 'noteVersion' | 'kind'>): string {
  return `letter-undeliverable-${undeliverableLetterKey(l).replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The coordinator's task on the citizen: which letter, why, and what to do. */
export function undeliverableLetterTask(meetingDate: string, l: UndeliverableLetter): TaskText {
  const what = l.kind === 'meeting-invitation' ? 'invitation til egen læge' : 'brev til egen læge';
  const lines = [
    l.kind === 'meeting-invitation'
      ? `Invitationen af borgerens egen læge til ${MEETING_TYPE.toLowerCase()} ${danishDate(meetingDate)} kunne ikke leveres (notat ${l.noteId}).`
      : `Notatet fra ${MEETING_TYPE.toLowerCase()} ${danishDate(meetingDate)} kunne ikke leveres til borgerens egen læge (notat ${l.noteId} v${l.noteVersion}).`,
    '',
    `Årsag (${l.reason}${l.refuseCode ? `, afvisningskode ${l.refuseCode}` : ''}): ${UNDELIVERABLE_REASONS[l.reason]}`,
    ...(l.letterId ? [`MedCom brev-id: ${l.letterId}`] : []),
    '',
    'Kontakt lægepraksis, og sørg for at lægen får oplysningerne på anden vis (eller ret borgerens lægeoplysninger i Nexus).',
  ];
  return {
    title: `${MEETING_TYPE} ${danishDate(meetingDate)}: ${what} kunne ikke leveres (notat ${l.noteId} v${l.noteVersion})`,
    description: lines.join('\n'),
  };
}
