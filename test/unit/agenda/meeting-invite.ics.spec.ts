import { loadSeed } from '../../../adapters/shared/sandbox-seed';
import { loadDistricts } from '../../../src/config/districts';
import { loadConfig } from '../../../src/config/load-config';
import { buildMeetingInviteIcs, escapeText, foldLine, meetingInviteUid } from '../../../src/domain/meeting-invite.ics';
import { personalDataHits } from './personal-data';

const base = {
  districtId: 'solhoej',
  districtName: 'Solhøj',
  meetingDate: '2026-12-03',
  startTime: '10:00',
  durationMinutes: 120,
  teamsUrl:
    'https://teams.microsoft.com/l/meetup-join/19%3ameeting_NzU4ZjY5YzAtYjBhZS00NzFkLWE2YjMtODQ0NzY0OTk1NmFl%40thread.v2/0?context=%7b%22Tid%22%3a%22x%22%7d',
  location: 'Solhøj Lokalcenter, mødelokale 1; 2. sal',
  stamp: new Date('2026-11-30T15:00:00.123Z'),
};

const unfold = (ics: string) => ics.replace(/\r\n /g, '');
const prop = (ics: string, name: string) =>
  unfold(ics)
    .split('\r\n')
    .find((l) => l.startsWith(name));

describe('meeting invitation (RFC 5545)', () => {
  const ics = buildMeetingInviteIcs(base);

  it('uses CRLF line endings only, with a final CRLF', () => {
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('folds every line at 75 octets and unfolds to the original properties', () => {
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(ics.split('\r\n').some((l) => l.startsWith(' '))).toBe(true); // the long URL was folded
    expect(prop(ics, 'URL:')).toBe(`URL:${base.teamsUrl}`);
  });

  it('never folds inside a multi-byte character', () => {
    const folded = foldLine(`SUMMARY:${'ø'.repeat(100)}`);
    for (const line of folded.split('\r\n')) {
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
      expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
    }
    expect(folded.replace(/\r\n /g, '')).toBe(`SUMMARY:${'ø'.repeat(100)}`);
  });

  it('puts start and end in Europe/Copenhagen with its VTIMEZONE', () => {
    expect(prop(ics, 'DTSTART;')).toBe('DTSTART;TZID=Europe/Copenhagen:20261203T100000');
    expect(prop(ics, 'DTEND;')).toBe('DTEND;TZID=Europe/Copenhagen:20261203T120000');
    expect(ics).toContain('BEGIN:VTIMEZONE\r\nTZID:Europe/Copenhagen\r\n');
    expect(ics).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU');
    expect(ics).toContain('RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU');
    expect(prop(ics, 'DTSTAMP:')).toBe('DTSTAMP:20261130T150000Z');
  });

  it.each([
    ['2026-03-26', '20260326T100000'],
    ['2026-04-02', '20260402T100000'],
    ['2026-10-22', '20261022T100000'],
    ['2026-10-29', '20261029T100000'],
  ])('keeps the local wall-clock start on %s (DST weeks)', (meetingDate, local) => {
    expect(prop(buildMeetingInviteIcs({ ...base, meetingDate }), 'DTSTART;')).toBe(`DTSTART;TZID=Europe/Copenhagen:${local}`);
  });

  it('rolls the end over midnight onto the next date', () => {
    const late = buildMeetingInviteIcs({ ...base, meetingDate: '2026-12-31', startTime: '23:00' });
    expect(prop(late, 'DTEND;')).toBe('DTEND;TZID=Europe/Copenhagen:20270101T010000');
  });

  it('has a UID that is stable per district and date and differs otherwise', () => {
    expect(prop(ics, 'UID:')).toBe(`UID:${meetingInviteUid('solhoej', '2026-12-03')}`);
    expect(prop(buildMeetingInviteIcs({ ...base, stamp: new Date() }), 'UID:')).toBe(prop(ics, 'UID:'));
    const others = [meetingInviteUid('solhoej', '2026-12-17'), meetingInviteUid('nordvang', '2026-12-03')];
    expect(new Set([meetingInviteUid('solhoej', '2026-12-03'), ...others]).size).toBe(3);
  });

  it('escapes TEXT values (backslash, semicolon, comma, newline)', () => {
    expect(escapeText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
    expect(prop(ics, 'LOCATION:')).toContain('Solhøj Lokalcenter\\, mødelokale 1\\; 2. sal eller Microsoft Teams: https');
    expect(prop(ics, 'DESCRIPTION:')).toMatch(/^DESCRIPTION:Tværfagligt samarbejdsmøde i Solhøj\.\\nDu deltager/);
  });

  it('is a PUBLISH without an organiser and an iTIP REQUEST with one (organiser and the invited mailboxes)', () => {
    expect(unfold(ics)).toContain('\r\nMETHOD:PUBLISH\r\n');
    expect(unfold(ics)).not.toContain('ORGANIZER');
    const request = unfold(buildMeetingInviteIcs({ ...base, organizer: 'tsm@solhoej.example', attendees: ['moede@solhoej.example'] }));
    expect(request).toContain('\r\nMETHOD:REQUEST\r\n');
    expect(request).toContain('\r\nORGANIZER:mailto:tsm@solhoej.example\r\n');
    expect(request).toContain('\r\nATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:moede@solhoej.example\r\n');
  });

  it('has the VCALENDAR/VEVENT skeleton with the required properties', () => {
    const names = unfold(ics)
      .split('\r\n')
      .filter(Boolean)
      .map((l) => l.split(/[:;]/)[0]);
    expect(names.slice(0, 5)).toEqual(['BEGIN', 'PRODID', 'VERSION', 'CALSCALE', 'METHOD']);
    for (const p of ['UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SUMMARY', 'LOCATION', 'DESCRIPTION', 'URL']) expect(names).toContain(p);
    expect(
      unfold(ics)
        .split('\r\n')
        .filter((l) => l.startsWith('BEGIN:'))
        .map((l) => l.slice(6)),
    ).toEqual(['VCALENDAR', 'VTIMEZONE', 'DAYLIGHT', 'STANDARD', 'VEVENT']);
  });

  it('carries no CPR number, name, note text or id from the default seed, for every configured district', () => {
    const seed = loadSeed();
    const districts = loadDistricts(loadConfig({}));
    for (const d of districts) {
      const invite = buildMeetingInviteIcs({
        districtId: d.id,
        districtName: d.name,
        meetingDate: '2026-12-03',
        startTime: d.startTime,
        durationMinutes: 2 * d.trackMinutes,
        teamsUrl: d.teamsUrl,
        location: d.location,
        stamp: new Date(),
      });
      expect(personalDataHits(unfold(invite), seed)).toEqual([]);
    }
  });

  it('the scan itself finds personal data when it is there (a CPR, a name and an id put into the location)', () => {
    const seed = loadSeed();
    const c = seed.citizens[0];
    const leaky = buildMeetingInviteIcs({
      ...base,
      location: `${c.firstName} ${c.lastName} ${c.cpr.slice(0, 6)}-${c.cpr.slice(6)} borger ${c.id}`,
    });
    expect(personalDataHits(unfold(leaky), seed)).toEqual(
      expect.arrayContaining([`cpr of citizen ${c.id}`, `name of citizen ${c.id}`, `citizen id ${c.id}`]),
    );
  });
});
