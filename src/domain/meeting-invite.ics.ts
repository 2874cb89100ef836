import { addCalendarDays } from '../common/local-time';
import { parseHhmm } from './meeting-calendar';

/**
 * The Teams calendar invitation for one meeting, as an iCalendar (RFC 5545) object. External
 * participants receive it by mail, so it carries NO personal data by construction: its only inputs
 * are the district's name and id, the meeting date and times, the Teams link and the meeting room.
 */
export interface MeetingInviteInput {
  districtId: string;
  districtName: string;
  meetingDate: string; // YYYY-MM-DD, Europe/Copenhagen
  startTime: string; // HH:MM local
  /** Until the agenda's real end (the last item's end), not the nominal two hours. */
  durationMinutes: number;
  /** SEQUENCE: 0 for the first invitation, higher for an update of the same entry (same UID). */
  sequence?: number;
  teamsUrl: string;
  location?: string;
  /** DTSTAMP: when the invitation object was created. */
  stamp: Date;
  /**
   * The sending mailbox (MAIL_FROM's address). With it the object is an iTIP REQUEST (RFC 5546) that
   * calendar clients offer to accept; without it a PUBLISH, which they only display.
   */
  organizer?: string;
  /** The invited mailboxes (ATTENDEE lines of a REQUEST): the district's function mailboxes, never a citizen. */
  attendees?: readonly string[];
}

/** REQUEST when there is an organiser to answer to (RFC 5546 §3.2.2 requires one), else PUBLISH. */
export function meetingInviteMethod(input: Pick<MeetingInviteInput, 'organizer'>): 'REQUEST' | 'PUBLISH' {
  return input.organizer ? 'REQUEST' : 'PUBLISH';
}

const TZID = 'Europe/Copenhagen';

/** Europe/Copenhagen since 1996 (EU rules): CEST from the last Sunday of March 02:00, CET from the last Sunday of October 03:00. */
const VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  `TZID:${TZID}`,
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

/** Stable per district and date, so a re-sent invitation updates the same calendar entry. */
export function meetingInviteUid(districtId: string, meetingDate: string): string {
  return `tvaerfagligt-${districtId}-${meetingDate}@tsm-bridge`;
}

/** RFC 5545 §3.3.11 TEXT escaping. */
export function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF + space), never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (octets + n > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = 74; // the leading space of a continuation line counts
    }
    current += ch;
    octets += n;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

function localDateTime(date: string, minutesOfDay: number): string {
  const date2 = addCalendarDays(date, Math.floor(minutesOfDay / 1440));
  const m = minutesOfDay % 1440;
  return `${date2.replace(/-/g, '')}T${String(Math.floor(m / 60)).padStart(2, '0')}${String(m % 60).padStart(2, '0')}00`;
}

function utcStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function buildMeetingInviteIcs(input: MeetingInviteInput): string {
  const { hour, minute } = parseHhmm(input.startTime);
  const start = hour * 60 + minute;
  const where = input.location ? `${input.location} eller Microsoft Teams` : 'Microsoft Teams';
  const description = [
    `Tværfagligt samarbejdsmøde i ${input.districtName}.`,
    'Du deltager i den del af mødet, du er inviteret til.',
    `Deltag via Microsoft Teams: ${input.teamsUrl}`,
  ].join('\n');
  const lines = [
    'BEGIN:VCALENDAR',
    'PRODID:-//tsm-bridge//Tvaerfagligt samarbejdsmoede//DA',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    `METHOD:${meetingInviteMethod(input)}`,
    ...VTIMEZONE,
    'BEGIN:VEVENT',
    `UID:${meetingInviteUid(input.districtId, input.meetingDate)}`,
    `SEQUENCE:${input.sequence ?? 0}`,
    `DTSTAMP:${utcStamp(input.stamp)}`,
    `DTSTART;TZID=${TZID}:${localDateTime(input.meetingDate, start)}`,
    `DTEND;TZID=${TZID}:${localDateTime(input.meetingDate, start + input.durationMinutes)}`,
    `SUMMARY:${escapeText(`Tværfagligt samarbejdsmøde – ${input.districtName}`)}`,
    `LOCATION:${escapeText(`${where}: ${input.teamsUrl}`)}`,
    `URL:${input.teamsUrl}`,
    `DESCRIPTION:${escapeText(description)}`,
    ...(input.organizer ? [`ORGANIZER:mailto:${input.organizer}`] : []),
    ...(input.organizer
      ? (input.attendees ?? []).map((a) => `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:${a}`)
      : []),
    'CLASS:PUBLIC',
    'STATUS:CONFIRMED',
    'TRANSP:OPAQUE',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
