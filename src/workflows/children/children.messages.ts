import { COPENHAGEN } from '../../common/local-time';
import type { ExternalUnit } from './children.units';

/**
 * The mails tsm-bridge sends on the local leader's behalf. Subjects and bodies carry no CPR, names
 * or case text: those travel only in the attached PDF forms.
 */
export interface MailText {
  subject: string;
  body: string;
}

const dateTimeDa = new Intl.DateTimeFormat('da-DK', {
  timeZone: COPENHAGEN, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit',
});
const dateDa = new Intl.DateTimeFormat('da-DK', { timeZone: COPENHAGEN, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

export function formatDateTimeDa(iso: string): string {
  return dateTimeDa.format(new Date(iso));
}

export function formatDateDa(iso: string): string {
  return dateDa.format(new Date(iso));
}

/** The last day one may still accept: the deadline is the midnight that ends it. */
function lastAcceptDay(deadlineAt: string): string {
  return formatDateDa(new Date(Date.parse(deadlineAt) - 1).toISOString());
}

const PLACE_DA = { dagtilbud: 'i dagtilbuddet', skole: 'på skolen', hjem: 'i barnets hjem' } as const;

export function requestToUnitMail(p: {
  requestId: string;
  unit: ExternalUnit;
  proposedStart: string;
  placeType: keyof typeof PLACE_DA;
  deadlineAt: string;
  workingDays: number;
  attachments: number;
  /** The meeting comes before the n working days are up: the deadline is the working day before it. */
  meetingFirst?: boolean;
}): MailText {
  return {
    subject: `Anmodning om samarbejdsmøde – svar senest ${lastAcceptDay(p.deadlineAt)} (ref. ${p.requestId})`,
    body: [
      `Til ${p.unit.name}`,
      '',
      `En lokal leder anmoder om et samarbejdsmøde med deltagelse af ${p.unit.name}.`,
      `Foreslået mødetidspunkt: ${formatDateTimeDa(p.proposedStart)}, ${PLACE_DA[p.placeType]}. Mødetid ca. 1 time.`,
      '',
      `Anmodningsskemaet er vedhæftet${p.attachments ? ` sammen med ${p.attachments} bilag` : ''}; det er journaliseret i eDoc.`,
      p.meetingFirst
        ? `Mødet ligger tidligere end ${p.workingDays} arbejdsdage efter anmodningen: den fagperson, der skal deltage, accepterer mødet senest ${lastAcceptDay(p.deadlineAt)} (arbejdsdagen før mødet).`
        : `Den fagperson, der skal deltage, accepterer mødet senest ${lastAcceptDay(p.deadlineAt)} (${p.workingDays} arbejdsdage).`,
      `Accept registreres med referencen ${p.requestId}.`,
    ].join('\n'),
  };
}

export function acceptanceReminderMail(p: {
  requestId: string; unit: ExternalUnit; receivedAt: string; proposedStart: string; workingDays: number; deadlineAt: string; meetingFirst?: boolean;
}): MailText {
  const within = p.meetingFirst ? `inden fristen ${lastAcceptDay(p.deadlineAt)} (arbejdsdagen før mødet)` : `inden for ${p.workingDays} arbejdsdage`;
  return {
    subject: `Påmindelse: anmodning om samarbejdsmøde er ikke accepteret (ref. ${p.requestId})`,
    body: [
      `Anmodningen om samarbejdsmøde med ${p.unit.name}, sendt ${formatDateDa(p.receivedAt)}, er ikke accepteret ${within}.`,
      `Foreslået mødetidspunkt: ${formatDateTimeDa(p.proposedStart)}.`,
      '',
      `${p.unit.name}: acceptér mødet eller kontakt den lokale leder. Lokal leder: følg op med enheden.`,
      `Reference: ${p.requestId}.`,
    ].join('\n'),
  };
}

export function agreementMail(p: { meetingId: string; heldAt: string; followUpStart?: string }): MailText {
  return {
    subject: `Aftaleskema fra samarbejdsmøde ${formatDateDa(p.heldAt)} (ref. ${p.meetingId})`,
    body: [
      `Hermed aftaleskemaet fra samarbejdsmødet ${formatDateTimeDa(p.heldAt)}. Det er journaliseret i eDoc.`,
      p.followUpStart ? `Opfølgende møde: ${formatDateTimeDa(p.followUpStart)}.` : 'Tidspunkt for opfølgende møde er endnu ikke aftalt; lokal leder indkalder.',
      '',
      'Spørgsmål til aftalerne rettes til den lokale leder, som er kontaktperson mellem møderne.',
      `Reference: ${p.meetingId}.`,
    ].join('\n'),
  };
}

export function followUpReminderMail(p: { requestId: string; firstMeetingAt: string; days: number }): MailText {
  return {
    subject: `Påmindelse: opfølgende samarbejdsmøde mangler (ref. ${p.requestId})`,
    body: [
      `Der er ikke aftalt et opfølgende møde ${p.days} dage efter samarbejdsmødet ${formatDateDa(p.firstMeetingAt)}.`,
      'Der afvikles altid mindst ét opfølgende møde med de fagpersoner, der har haft en aktiv rolle. Som lokal leder har du ansvaret for at indkalde til det.',
      `Reference: ${p.requestId}.`,
    ].join('\n'),
  };
}

/** To the local leader when the meeting is sooner than the n working days the unit normally has to accept. */
export function shortNoticeMail(p: { requestId: string; unit: ExternalUnit; proposedStart: string; deadlineAt: string; workingDays: number }): MailText {
  return {
    subject: `Bemærk: samarbejdsmødet ligger før den sædvanlige svarfrist (ref. ${p.requestId})`,
    body: [
      `Anmodningen om samarbejdsmøde med ${p.unit.name} er modtaget. Mødet ${formatDateTimeDa(p.proposedStart)} ligger tidligere end ${p.workingDays} arbejdsdage efter anmodningen.`,
      `${p.unit.name} skal derfor acceptere senest ${lastAcceptDay(p.deadlineAt)}, arbejdsdagen før mødet. Har enheden ikke accepteret til den tid, får du en påmindelse, inden mødet begynder.`,
      'Overvej at aftale et senere mødetidspunkt med forældrene, hvis enheden ikke kan nå at svare.',
      `Reference: ${p.requestId}.`,
    ].join('\n'),
  };
}
