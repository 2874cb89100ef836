import { escapeText, foldLine } from './meeting-invite.ics';

/**
 * The calendar invitation (iCalendar, RFC 5545; iTIP REQUEST, RFC 5546) of one children's
 * collaboration meeting. It travels by mail to the unit's central mailbox and to the participants,
 * so it carries NO personal data by construction: its inputs are ids, the unit's and the local
 * unit's names, the meeting's instants and a place that is never the child's home address.
 * Times are UTC instants (RFC 5545 §3.3.5 form 2), so the start and end are exact on both sides of a
 * daylight-saving change without a VTIMEZONE.
 */
export interface ChildrenInviteInput {
  /** Stable per meeting: a re-sent or moved invitation updates the same calendar entry. */
  uid: string;
  /** Raised each time the meeting is moved (RFC 5545 §3.8.7.4). */
  sequence: number;
  start: Date;
  end: Date;
  /** E.g. "Samarbejdsmøde – Kompetenceenheden (KE)". */
  summary: string;
  /** E.g. "Solhøj Børnehus, Skovvej 1" or "Barnets hjem (adressen står i anmodningsskemaet)". */
  location: string;
  description: string;
  /** The mailbox answers go to (RFC 5546 §3.2.2: a REQUEST has one). */
  organizer: string;
  attendees: readonly string[];
  /** DTSTAMP: when the object was created (a stored instant, so a retry builds the same bytes). */
  stamp: Date;
}

export const CHILDREN_ICS_CONTENT_TYPE = 'text/calendar; charset=utf-8; method=REQUEST';

function utc(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** "mailto:" value of an address, or nothing when it is not a plain address (never let text into the property). */
function mailto(address: string): string | undefined {
  const a = address.trim();
  return /^[^\s@<>;:,"\\]+@[A-Za-z0-9.-]+$/.test(a) ? `mailto:${a}` : undefined;
}

export function childrenMeetingUid(meetingId: string): string {
  return `samarbejdsmoede-${meetingId}@tsm-bridge`;
}

export function buildChildrenInviteIcs(i: ChildrenInviteInput): string {
  if (!(i.end.getTime() > i.start.getTime())) throw new Error('an invitation must end after it starts');
  const organizer = mailto(i.organizer);
  if (!organizer) throw new Error('an invitation needs an organiser address');
  const attendees = [...new Set(i.attendees.map((a) => mailto(a)).filter((a): a is string => Boolean(a)))];
  const lines = [
    'BEGIN:VCALENDAR',
    'PRODID:-//tsm-bridge//Samarbejdsmoede//DA',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:${i.uid}`,
    `SEQUENCE:${i.sequence}`,
    `DTSTAMP:${utc(i.stamp)}`,
    `DTSTART:${utc(i.start)}`,
    `DTEND:${utc(i.end)}`,
    `SUMMARY:${escapeText(i.summary)}`,
    `LOCATION:${escapeText(i.location)}`,
    `DESCRIPTION:${escapeText(i.description)}`,
    `ORGANIZER:${organizer}`,
    ...attendees.map((a) => `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:${a}`),
    'CLASS:CONFIDENTIAL',
    'STATUS:CONFIRMED',
    'TRANSP:OPAQUE',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
