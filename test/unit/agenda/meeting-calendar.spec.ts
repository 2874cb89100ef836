import { copenhagenDate, parseInstant } from '../../../src/common/local-time';
import {
  cutoffDate,
  cutoffInstant,
  isIsoDate,
  isMeetingDate,
  meetingDates,
  meetingStartInstant,
  MeetingSeries,
  morningInstant,
  nextHeldMeetingOnOrAfter,
  nextMeetingOnOrAfter,
} from '../../../src/domain/meeting-calendar';
import { WorkingDayCalendar } from '../../../src/domain/working-days';

const solhoej: MeetingSeries = {
  firstMeetingDate: '2026-01-15',
  cadenceDays: 14,
  startTime: '10:00',
  cutoffDays: 3,
  cutoffTime: '16:00',
  morningTime: '07:00',
};

describe('meeting dates of a series', () => {
  it.each([
    ['2026-01-15', true],
    ['2026-01-29', true],
    ['2026-12-03', true],
    ['2026-12-17', true],
    ['2026-12-10', false],
    ['2026-12-04', false],
    ['2026-01-01', false],
    ['2025-12-18', false],
  ])('%s is a meeting date: %s', (date, expected) => {
    expect(isMeetingDate(solhoej, date)).toBe(expected);
  });

  it.each([
    ['2026-11-23', '2026-12-03'],
    ['2026-12-03', '2026-12-03'],
    ['2026-12-04', '2026-12-17'],
    ['2026-12-30', '2026-12-31'],
    ['2025-06-01', '2026-01-15'],
    ['2027-01-01', '2027-01-14'],
  ])('next meeting on or after %s is %s', (date, expected) => {
    expect(nextMeetingOnOrAfter(solhoej, date)).toBe(expected);
  });

  it('lists the meetings in a range, both ends inclusive', () => {
    expect(meetingDates(solhoej, '2026-11-19', '2026-12-31')).toEqual(['2026-11-19', '2026-12-03', '2026-12-17', '2026-12-31']);
    expect(meetingDates(solhoej, '2026-11-20', '2026-12-02')).toEqual([]);
  });

  it('passes over the series dates that are public holidays (the Thursday series meets skærtorsdag and Kristi himmelfartsdag 2027)', () => {
    const holidays = new WorkingDayCalendar();
    const held = (date: string) => nextHeldMeetingOnOrAfter(solhoej, date, (d) => holidays.publicHoliday(d));
    expect(meetingDates(solhoej, '2027-03-20', '2027-05-10')).toEqual(['2027-03-25', '2027-04-08', '2027-04-22', '2027-05-06']);
    expect(held('2027-03-20')).toEqual({ date: '2027-04-08', skipped: [{ date: '2027-03-25', reason: 'Skærtorsdag' }] });
    expect(held('2027-04-23')).toEqual({ date: '2027-05-20', skipped: [{ date: '2027-05-06', reason: 'Kristi Himmelfartsdag' }] });
    expect(held('2026-11-23')).toEqual({ date: '2026-12-03', skipped: [] });
    expect(() => nextHeldMeetingOnOrAfter(solhoej, '2026-11-23', () => 'closed')).toThrow(/no meeting is held within a year/);
  });

  it('counts the cut-off in calendar days across month and year ends', () => {
    expect(cutoffDate(solhoej, '2026-12-03')).toBe('2026-11-30');
    expect(cutoffDate(solhoej, '2027-01-02')).toBe('2026-12-30');
    expect(cutoffDate(solhoej, '2028-03-02')).toBe('2028-02-28');
  });
});

describe('instants in Europe/Copenhagen across daylight-saving changes', () => {
  const weekly = (first: string): MeetingSeries => ({ ...solhoej, firstMeetingDate: first, cadenceDays: 7 });

  it.each([
    // meeting, start (UTC), morning collect (UTC), cut-off collect (UTC)
    ['2026-12-03', '2026-12-03T09:00:00.000Z', '2026-12-03T06:00:00.000Z', '2026-11-30T15:00:00.000Z'],
    // spring forward on Sunday 2026-03-29: the week before is CET (+1), the week after CEST (+2)
    ['2026-03-26', '2026-03-26T09:00:00.000Z', '2026-03-26T06:00:00.000Z', '2026-03-23T15:00:00.000Z'],
    ['2026-04-02', '2026-04-02T08:00:00.000Z', '2026-04-02T05:00:00.000Z', '2026-03-30T14:00:00.000Z'],
    ['2026-04-01', '2026-04-01T08:00:00.000Z', '2026-04-01T05:00:00.000Z', '2026-03-29T14:00:00.000Z'], // cut-off on the change day
    // fall back on Sunday 2026-10-25
    ['2026-10-22', '2026-10-22T08:00:00.000Z', '2026-10-22T05:00:00.000Z', '2026-10-19T14:00:00.000Z'],
    ['2026-10-29', '2026-10-29T09:00:00.000Z', '2026-10-29T06:00:00.000Z', '2026-10-26T15:00:00.000Z'],
    ['2026-10-28', '2026-10-28T09:00:00.000Z', '2026-10-28T06:00:00.000Z', '2026-10-25T15:00:00.000Z'], // cut-off on the change day
  ])('meeting %s: start %s, morning %s, cut-off %s', (date, start, morning, cutoff) => {
    const s = weekly(date);
    expect(meetingStartInstant(s, date).toISOString()).toBe(start);
    expect(morningInstant(s, date).toISOString()).toBe(morning);
    expect(cutoffInstant(s, date).toISOString()).toBe(cutoff);
  });

  it('keeps a weekly 10:00 meeting at 10:00 local while the UTC hour moves', () => {
    const s = weekly('2026-03-19');
    const hours = meetingDates(s, '2026-03-19', '2026-04-09').map((d) => meetingStartInstant(s, d).getUTCHours());
    expect(hours).toEqual([9, 9, 8, 8]);
  });

  it.each([
    ['2026-03-29T00:59:00Z', '2026-03-29'],
    ['2026-03-29T22:00:00Z', '2026-03-30'], // midnight CEST
    ['2026-10-25T22:59:00Z', '2026-10-25'],
    ['2026-10-25T23:00:00Z', '2026-10-26'], // midnight CET
    ['2026-12-31T23:00:00Z', '2027-01-01'],
  ])('the Copenhagen calendar date of %s is %s', (iso, date) => {
    expect(copenhagenDate(new Date(iso))).toBe(date);
  });
});

describe('parsing Nexus timestamps', () => {
  it.each([
    ['2024-03-18T11:53:12.000+0000', '2024-03-18T11:53:12.000Z'],
    ['2024-03-18T11:53:12+01:00', '2024-03-18T10:53:12.000Z'],
    ['2024-03-18T11:53:12.123456+0100', '2024-03-18T10:53:12.123Z'],
    ['2024-03-18T11:53Z', '2024-03-18T11:53:00.000Z'],
    [' 2024-03-18T11:53:12Z ', '2024-03-18T11:53:12.000Z'],
    // no offset: Copenhagen wall time (local-time's one rule)
    ['2024-03-18T11:53:12', '2024-03-18T10:53:12.000Z'],
    ['2024-03-18', '2024-03-17T23:00:00.000Z'],
  ])('%s → %s', (s, iso) => {
    expect(parseInstant(s)?.toISOString()).toBe(iso);
  });

  it.each([['yesterday'], [''], ['2024-13-40T10:00:00Z']])('%j has no instant', (s) => {
    expect(parseInstant(s)).toBeNull();
  });

  it.each([
    ['2026-02-29', false],
    ['2028-02-29', true],
    ['2026-12-03', true],
    ['2026-1-3', false],
    ['03-12-2026', false],
  ])('%s is a date: %s', (s, ok) => expect(isIsoDate(s)).toBe(ok));
});
