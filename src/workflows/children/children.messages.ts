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
  timeZone: COPENHAGEN,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
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
  /** The signed accept link (valid until the deadline). */
  acceptUrl?: string;
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
      ...(p.acceptUrl
        ? [
            '',
            `Acceptér mødet her (linket gælder til og med ${lastAcceptDay(p.deadlineAt)}):`,
            p.acceptUrl,
            '',
            'Kalenderinvitationen er vedhæftet. Et svar i kalenderen registreres ikke som accept; brug linket.',
          ]
        : []),
      `Accept registreres med referencen ${p.requestId}.`,
    ].join('\n'),
  };
}

export const PLACE_TEXT_DA = PLACE_DA;

export function acceptanceReminderMail(p: {
  requestId: string;
  unit: ExternalUnit;
  receivedAt: string;
  proposedStart: string;
  workingDays: number;
  deadlineAt: string;
  meetingFirst?: boolean;
  /** A fresh accept link, valid until the meeting starts. */
  acceptUrl?: string;
}): MailText {
  const within = p.meetingFirst
    ? `inden fristen ${lastAcceptDay(p.deadlineAt)} (arbejdsdagen før mødet)`
    : `inden for ${p.workingDays} arbejdsdage`;
  return {
    subject: `Påmindelse: anmodning om samarbejdsmøde er ikke accepteret (ref. ${p.requestId})`,
    body: [
      `Anmodningen om samarbejdsmøde med ${p.unit.name}, sendt ${formatDateDa(p.receivedAt)}, er ikke accepteret ${within}.`,
      `Foreslået mødetidspunkt: ${formatDateTimeDa(p.proposedStart)}.`,
      '',
      `${p.unit.name}: acceptér mødet eller kontakt den lokale leder. Lokal leder: følg op med enheden.`,
      ...(p.acceptUrl ? ['', 'Acceptér mødet her (linket gælder, til mødet begynder):', p.acceptUrl, ''] : []),
      `Reference: ${p.requestId}.`,
    ].join('\n'),
  };
}

export function agreementMail(p: { meetingId: string; heldAt: string; followUpStart?: string }): MailText {
  return {
    subject: `Aftaleskema fra samarbejdsmøde ${formatDateDa(p.heldAt)} (ref. ${p.meetingId})`,
    body: [
      `Hermed aftaleskemaet fra samarbejdsmødet ${formatDateTimeDa(p.heldAt)}. Det er journaliseret i eDoc.`,
      p.followUpStart
        ? `Opfølgende møde: ${formatDateTimeDa(p.followUpStart)}.`
        : 'Tidspunkt for opfølgende møde er endnu ikke aftalt; lokal leder indkalder.',
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
export function shortNoticeMail(p: {
  requestId: string;
  unit: ExternalUnit;
  proposedStart: string;
  deadlineAt: string;
  workingDays: number;
}): MailText {
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

/**
 * To the local leader: the participants the agreement form could not be mailed to (no address), to
 * send it by other means. Their names are in this body only (the leader's own mail), never in logs.
 */
export function agreementUnreachedMail(p: {
  meetingId: string;
  heldAt: string;
  unreached: ReadonlyArray<{ name: string; role?: string }>;
}): MailText {
  return {
    subject: `Aftaleskema: ${p.unreached.length} deltager(e) skal have det på anden vis (ref. ${p.meetingId})`,
    body: [
      `Aftaleskemaet fra samarbejdsmødet ${formatDateTimeDa(p.heldAt)} er sendt til alle deltagere med en mailadresse.`,
      'Disse deltagere har ingen mailadresse og skal have aftaleskemaet på anden vis (fx udleveret, med post eller via sikker digital post):',
      '',
      ...p.unreached.map((u) => `- ${u.name}${u.role ? ` (${u.role})` : ''}`),
      '',
      'Aftaleskemaet er vedhæftet.',
      `Reference: ${p.meetingId}.`,
    ].join('\n'),
  };
}

/** The follow-up meeting's invitation; the calendar object (ICS) is attached. */
export function followUpInviteMail(p: { meetingId: string; unit: ExternalUnit; start: string; place: string; moved: boolean }): MailText {
  return {
    subject: `${p.moved ? 'Ændret tidspunkt: o' : 'O'}pfølgende samarbejdsmøde ${formatDateTimeDa(p.start)} (ref. ${p.meetingId})`,
    body: [
      p.moved
        ? `Det opfølgende samarbejdsmøde med ${p.unit.name} er flyttet til ${formatDateTimeDa(p.start)}.`
        : `Du indkaldes til opfølgende samarbejdsmøde med ${p.unit.name} ${formatDateTimeDa(p.start)}.`,
      `Sted: ${p.place}. Mødetid ca. 1 time.`,
      '',
      'Kalenderinvitationen er vedhæftet. Spørgsmål rettes til den lokale leder.',
      `Reference: ${p.meetingId}.`,
    ].join('\n'),
  };
}
