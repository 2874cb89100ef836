import { buildChildrenInviteIcs, childrenMeetingUid } from '../../../src/domain/children-invite.ics';

/** The children's meeting invitation: a REQUEST with the real start and end, the place, and no personal data. */
describe('buildChildrenInviteIcs', () => {
  const base = {
    uid: childrenMeetingUid('3f2a0000-0000-4000-8000-000000000001-m1'),
    sequence: 0,
    summary: 'Samarbejdsmøde – Kompetenceenheden (KE)',
    location: 'Solhøj Børnehus, Skovvej 1; 9999 Solhøj',
    description: 'Samarbejdsmøde om et barn.\nReference: x.',
    organizer: 'tsm@solhoej.example',
    attendees: ['ke@solhoej.example', 'not an address', 'ke@solhoej.example'],
    stamp: new Date('2026-03-18T10:00:00Z'),
  };

  it.each([
    ['winter time (CET)', '2026-03-23T10:00:00+01:00', '20260323T090000Z', '20260323T100000Z'],
    ['summer time (CEST), the Thursday after the change', '2026-04-02T09:15:00+02:00', '20260402T071500Z', '20260402T081500Z'],
    ['the Monday after the change back', '2026-10-26T14:00:00+01:00', '20261026T130000Z', '20261026T140000Z'],
  ])('%s: DTSTART/DTEND are the exact instants', (_what, start, dtstart, dtend) => {
    const s = new Date(start);
    const ics = buildChildrenInviteIcs({ ...base, start: s, end: new Date(s.getTime() + 3_600_000) });
    expect(ics).toContain('METHOD:REQUEST\r\n');
    expect(ics).toContain(`DTSTART:${dtstart}\r\n`);
    expect(ics).toContain(`DTEND:${dtend}\r\n`);
  });

  it('escapes text, folds long lines, names organiser and attendees (valid addresses once), CRLF throughout', () => {
    const s = new Date('2026-03-23T09:00:00Z');
    const ics = buildChildrenInviteIcs({ ...base, start: s, end: new Date(s.getTime() + 3_600_000), sequence: 2 });
    expect(ics).toContain('LOCATION:Solhøj Børnehus\\, Skovvej 1\\; 9999 Solhøj');
    expect(ics).toContain('DESCRIPTION:Samarbejdsmøde om et barn.\\nReference: x.');
    expect(ics).toContain('SEQUENCE:2');
    expect(ics).toContain('UID:samarbejdsmoede-3f2a0000-0000-4000-8000-000000000001-m1@tsm-bridge');
    expect(ics).toContain('ORGANIZER:mailto:tsm@solhoej.example');
    expect(ics.match(/^ATTENDEE.*$/gm)).toHaveLength(1);
    expect(ics.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/\n/);
  });

  it('refuses an invitation that does not end after it starts, or has no organiser address', () => {
    const s = new Date('2026-03-23T09:00:00Z');
    expect(() => buildChildrenInviteIcs({ ...base, start: s, end: s })).toThrow(/end after/);
    expect(() => buildChildrenInviteIcs({ ...base, start: s, end: new Date(s.getTime() + 1), organizer: 'x' })).toThrow(/organiser/);
  });
});
