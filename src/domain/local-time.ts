/**
 * Wall-clock time in a named time zone, from the platform's Intl data (no library): enough to put
 * an instant on a local calendar day and back, correct across daylight-saving changes.
 */
export const COPENHAGEN = 'Europe/Copenhagen';

export interface LocalParts {
  /** YYYY-MM-DD on the local calendar. */
  date: string;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday, as Date#getUTCDay. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

function wallClockMs(instant: Date, tz: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(instant)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** The local calendar date and clock time of an instant. */
export function localParts(instant: Date, tz = COPENHAGEN): LocalParts {
  const wall = new Date(wallClockMs(instant, tz));
  return {
    date: wall.toISOString().slice(0, 10),
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    weekday: wall.getUTCDay(),
  };
}

/**
 * The instant at which the local clock shows `date` `hour`:`minute`. Two passes settle the offset
 * when the guess and the answer sit on different sides of a DST change.
 */
export function localToInstant(date: string, hour: number, minute: number, tz = COPENHAGEN): Date {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  let t = wall - (wallClockMs(new Date(wall), tz) - wall);
  t = wall - (wallClockMs(new Date(t), tz) - t);
  return new Date(t);
}

/** Calendar arithmetic on YYYY-MM-DD strings (no time zone involved). */
export function addCalendarDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}
