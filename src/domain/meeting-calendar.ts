import { addCalendarDays, copenhagenDate, localToInstant } from '../common/local-time';

/**
 * The dates and instants of a district's meeting series. Dates are local calendar dates
 * (YYYY-MM-DD) and times local wall-clock times in Europe/Copenhagen, so a 10:00 meeting stays at
 * 10:00 on both sides of a daylight-saving change; instants are computed from them at the end.
 */
export interface MeetingSeries {
  firstMeetingDate: string;
  cadenceDays: number;
  startTime: string;
  cutoffDays: number;
  cutoffTime: string;
  morningTime: string;
}

const DAY_MS = 86_400_000;

export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Whole days from a to b (b − a) between two calendar dates. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

export function parseHhmm(s: string): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  if (!m) throw new RangeError(`not a time HH:MM: ${s}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

export function isMeetingDate(series: MeetingSeries, date: string): boolean {
  const n = daysBetween(series.firstMeetingDate, date);
  return n >= 0 && n % series.cadenceDays === 0;
}

/** The first meeting on or after the given date (the series' first meeting if the date is before it). */
export function nextMeetingOnOrAfter(series: MeetingSeries, date: string): string {
  const n = daysBetween(series.firstMeetingDate, date);
  if (n <= 0) return series.firstMeetingDate;
  const steps = Math.ceil(n / series.cadenceDays);
  return addCalendarDays(series.firstMeetingDate, steps * series.cadenceDays);
}

/**
 * The first meeting on or after `date` that is held: series dates for which `cancelled` gives a reason
 * (a public holiday) are passed over and listed. Looks at most a year of meetings ahead.
 */
export function nextHeldMeetingOnOrAfter(
  series: MeetingSeries,
  date: string,
  cancelled: (date: string) => string | null,
): { date: string; skipped: Array<{ date: string; reason: string }> } {
  const skipped: Array<{ date: string; reason: string }> = [];
  let d = nextMeetingOnOrAfter(series, date);
  for (let reason = cancelled(d); reason !== null; reason = cancelled(d)) {
    skipped.push({ date: d, reason });
    if (daysBetween(date, d) > 366) throw new RangeError(`no meeting is held within a year after ${date}`);
    d = addCalendarDays(d, series.cadenceDays);
  }
  return { date: d, skipped };
}

/**
 * The meeting to plan for at `now`: the next held series meeting that has not started yet (a meeting
 * under way or over is no longer "next"). The agenda planner and the sandbox's seed planning share it.
 */
export function nextHeldMeetingAt(
  series: MeetingSeries,
  now: Date,
  cancelled: (date: string) => string | null = () => null,
): { date: string; skipped: Array<{ date: string; reason: string }> } {
  const today = copenhagenDate(now);
  const first = nextMeetingOnOrAfter(series, today);
  return nextHeldMeetingOnOrAfter(series, meetingStartInstant(series, first) <= now ? addCalendarDays(first, 1) : today, cancelled);
}

/** Meeting dates from `from` to `to`, both inclusive. */
export function meetingDates(series: MeetingSeries, from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = nextMeetingOnOrAfter(series, from); d <= to; d = addCalendarDays(d, series.cadenceDays)) out.push(d);
  return out;
}

/** The last calendar day a note may be created on and still be on the agenda of meeting D. */
export function cutoffDate(series: Pick<MeetingSeries, 'cutoffDays'>, meetingDate: string): string {
  return addCalendarDays(meetingDate, -series.cutoffDays);
}

function at(date: string, hhmm: string): Date {
  const { hour, minute } = parseHhmm(hhmm);
  return localToInstant(date, hour, minute);
}

/** When the agenda of meeting D is collected on the cut-off day. */
export function cutoffInstant(series: MeetingSeries, meetingDate: string): Date {
  return at(cutoffDate(series, meetingDate), series.cutoffTime);
}

/** When the agenda is collected again on the morning of the meeting. */
export function morningInstant(series: MeetingSeries, meetingDate: string): Date {
  return at(meetingDate, series.morningTime);
}

export function meetingStartInstant(series: MeetingSeries, meetingDate: string): Date {
  return at(meetingDate, series.startTime);
}
