import { localParts, localToInstant } from '../../../src/common/local-time';
import { WorkingDayCalendar, workingDayDeadline } from '../../../src/domain/working-days';

describe('WorkingDayCalendar (DK)', () => {
  const cal = new WorkingDayCalendar();

  it.each([
    // date, working?, why
    ['2026-04-02', false, 'skærtorsdag'],
    ['2026-04-03', false, 'langfredag'],
    ['2026-04-06', false, '2. påskedag'],
    ['2026-05-14', false, 'Kristi himmelfartsdag'],
    ['2026-05-25', false, '2. pinsedag'],
    ['2026-12-25', false, 'juledag'],
    ['2026-12-28', true, 'Monday after Christmas'],
    ['2027-01-01', false, 'nytårsdag'],
    ['2023-05-05', false, 'Store Bededag 2023 (still a holiday)'],
    ['2024-04-26', true, 'Store Bededag abolished from 2024'],
    ['2027-04-23', true, 'Store Bededag abolished (2027)'],
    ['2026-06-05', true, 'grundlovsdag: not a public holiday'],
    ['2026-12-24', true, 'juleaftensdag: not a public holiday'],
    ['2026-12-31', true, 'nytårsaftensdag: not a public holiday'],
    ['2026-05-01', true, '1. maj: not a public holiday'],
    ['2026-03-28', false, 'Saturday'],
    ['2026-03-29', false, 'Sunday'],
    ['2026-03-30', true, 'ordinary Monday'],
  ])('%s working day = %s (%s)', (date, working) => {
    expect(cal.isWorkingDay(date)).toBe(working);
  });

  it.each([
    // from, +10 working days, scenario
    ['2027-03-24', '2027-04-12', 'Wednesday before Easter 2027'],
    ['2026-12-21', '2027-01-06', 'around Christmas 2026'],
    ['2026-05-11', '2026-05-27', 'over Kristi himmelfart and 2. pinsedag 2026'],
    ['2026-03-28', '2026-04-15', 'from a Saturday, over Easter 2026'],
    ['2026-06-01', '2026-06-15', 'over grundlovsdag (counted)'],
    ['2023-04-28', '2023-05-15', 'over Store Bededag 2023 and Kristi himmelfart'],
    ['2024-04-22', '2024-05-06', 'where Store Bededag 2024 would have been'],
  ])('%s + 10 working days = %s (%s)', (from, expected) => {
    expect(cal.addWorkingDays(from, 10)).toBe(expected);
  });

  it('treats configured extra closed days as non-working (collective-agreement days off)', () => {
    const closed = new WorkingDayCalendar(['12-24', '12-31']);
    expect(closed.isWorkingDay('2026-12-24')).toBe(false);
    expect(closed.addWorkingDays('2026-12-21', 10)).toBe('2027-01-08');
  });

  it('names the public holiday', () => {
    expect(cal.publicHoliday('2027-03-25')).toBe('Skærtorsdag');
    expect(cal.publicHoliday('2027-03-24')).toBeNull();
  });

  it('rejects bad arguments', () => {
    expect(() => new WorkingDayCalendar(['24-12'])).toThrow('MM-DD');
    expect(() => cal.addWorkingDays('2026-01-05', -1)).toThrow();
    expect(cal.addWorkingDays('2026-01-05', 0)).toBe('2026-01-05');
  });
});

describe('workingDayDeadline (Europe/Copenhagen, DST-correct)', () => {
  const cal = new WorkingDayCalendar();

  it.each([
    // submitted (instant), deadline = local midnight after the 10th working day
    ['2026-03-20T09:00:00Z', '2026-04-08T22:00:00.000Z', 'submitted in winter time, due in summer time over Easter'],
    ['2026-10-20T09:00:00Z', '2026-11-03T23:00:00.000Z', 'submitted in summer time, due in winter time'],
    ['2026-03-22T23:30:00Z', '2026-04-09T22:00:00.000Z', '00:30 local on Monday counts from Monday, not Sunday'],
    ['2026-12-21T10:00:00Z', '2027-01-06T23:00:00.000Z', 'around Christmas 2026'],
    ['2027-03-24T14:00:00Z', '2027-04-12T22:00:00.000Z', 'Wednesday before Easter 2027'],
  ])('%s → %s (%s)', (submitted, deadline) => {
    expect(workingDayDeadline(new Date(submitted), 10, cal).toISOString()).toBe(deadline);
  });
});

describe('local time helpers', () => {
  it.each([
    ['2026-03-29', 1, 30, '2026-03-29T00:30:00.000Z'], // before the spring change (CET)
    ['2026-03-29', 4, 0, '2026-03-29T02:00:00.000Z'], // after it (CEST)
    ['2026-10-25', 4, 0, '2026-10-25T03:00:00.000Z'], // after the autumn change (CET)
    ['2026-07-01', 0, 0, '2026-06-30T22:00:00.000Z'],
  ])('%s %s:%s local is %s', (date, h, m, iso) => {
    const t = localToInstant(date, h, m);
    expect(t.toISOString()).toBe(iso);
    expect(localParts(t)).toMatchObject({ date, hour: h, minute: m });
  });
});
