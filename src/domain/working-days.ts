import Holidays from 'date-holidays';
import { addCalendarDays, COPENHAGEN, localParts, localToInstant, weekdayOf } from '../common/local-time';

/**
 * Danish working days ("arbejdsdage"): Monday–Friday that are not public holidays.
 *
 * Public holidays are the søgnehelligdage date-holidays returns as type "public" for DK: nytårsdag,
 * skærtorsdag, langfredag, påskedag, 2. påskedag, Kristi himmelfartsdag, pinsedag, 2. pinsedag,
 * juledag, 2. juledag, and Store Bededag up to and including 2023 (abolished from 2024; the library
 * already knows). Grundlovsdag, juleaftensdag and 1. maj are "observance" there and nytårsaftensdag
 * is absent: they are not public holidays by law, and whether staff have the day off depends on
 * the collective agreement. They count as working days unless configured as extra closed days.
 */
export class WorkingDayCalendar {
  private static readonly holidays = new Holidays('DK');
  private readonly byYear = new Map<number, Map<string, string>>();
  private readonly extraClosed: ReadonlySet<string>;

  /** @param extraClosedDays month-day pairs ("12-24", "12-31", "06-05") closed every year on top of the public holidays. */
  constructor(extraClosedDays: readonly string[] = []) {
    for (const md of extraClosedDays) {
      if (!/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(md)) throw new Error(`not a month-day (MM-DD): ${md}`);
    }
    this.extraClosed = new Set(extraClosedDays);
  }

  /** The public holiday's Danish name on a YYYY-MM-DD date, or null. */
  publicHoliday(date: string): string | null {
    return this.holidaysOf(Number(date.slice(0, 4))).get(date) ?? null;
  }

  isWorkingDay(date: string): boolean {
    const wd = weekdayOf(date);
    if (wd === 0 || wd === 6) return false;
    if (this.extraClosed.has(date.slice(5))) return false;
    return this.publicHoliday(date) === null;
  }

  /** The n-th working day after `date` (the date itself never counts). */
  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new Error(`working days must be a non-negative integer: ${n}`);
    let d = date;
    for (let left = n; left > 0;) {
      d = addCalendarDays(d, 1);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  private holidaysOf(year: number): Map<string, string> {
    let m = this.byYear.get(year);
    if (!m) {
      m = new Map();
      for (const h of WorkingDayCalendar.holidays.getHolidays(year)) {
        if (h.type === 'public') m.set(h.date.slice(0, 10), h.name);
      }
      this.byYear.set(year, m);
    }
    return m;
  }
}

/**
 * "Within n working days" of an instant: the end of the n-th working day after the local calendar
 * day the instant falls on, i.e. local midnight after that day, as an instant (DST-correct).
 */
export function workingDayDeadline(from: Date, workingDays: number, calendar: WorkingDayCalendar, tz = COPENHAGEN): Date {
  const lastDay = calendar.addWorkingDays(localParts(from, tz).date, workingDays);
  return localToInstant(addCalendarDays(lastDay, 1), 0, 0, tz);
}

/**
 * The end of the last working day before the local calendar day `meeting` falls on: local midnight
 * after that working day, as an instant. A unit accepting by then knows of the meeting a working day ahead.
 */
export function endOfWorkingDayBefore(meeting: Date, calendar: WorkingDayCalendar, tz = COPENHAGEN): Date {
  let d = addCalendarDays(localParts(meeting, tz).date, -1);
  while (!calendar.isWorkingDay(d)) d = addCalendarDays(d, -1);
  return localToInstant(addCalendarDays(d, 1), 0, 0, tz);
}

export interface AcceptanceDeadline {
  deadlineAt: Date;
  /** True when the meeting comes before the end of the n working days: the meeting's deadline won. */
  meetingFirst: boolean;
}

/**
 * "Fagpersonen … accepterer mødekalenderen senest inden 10 arbejdsdage", and before the meeting: the
 * earlier of the end of the n-th working day after receipt and the end of the working day before the
 * meeting, never before `from` itself (a reminder that is due is sent at once).
 */
export function acceptanceDeadline(
  from: Date,
  meeting: Date,
  workingDays: number,
  calendar: WorkingDayCalendar,
  tz = COPENHAGEN,
): AcceptanceDeadline {
  const byWorkingDays = workingDayDeadline(from, workingDays, calendar, tz);
  const byMeeting = endOfWorkingDayBefore(meeting, calendar, tz);
  if (byMeeting.getTime() >= byWorkingDays.getTime()) return { deadlineAt: byWorkingDays, meetingFirst: false };
  return { deadlineAt: new Date(Math.max(byMeeting.getTime(), from.getTime())), meetingFirst: true };
}

/** Why a series date is not held (its public holiday's name), when public holidays are skipped (AGENDA_SKIP_PUBLIC_HOLIDAYS). */
export function publicHolidayFilter(skip: boolean): ((date: string) => string | null) | undefined {
  if (!skip) return undefined;
  const holidays = new WorkingDayCalendar();
  return (date) => holidays.publicHoliday(date);
}
