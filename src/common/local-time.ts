import { DateTime } from 'luxon';

/**
 * The one local-time module: Danish wall-clock time (Europe/Copenhagen) on top of Luxon, which reads
 * the platform's IANA zone data. Every workflow and adapter that turns an instant into a Danish day or
 * clock time, or back, comes through here.
 *
 * One rule for timestamps without an offset: they are Copenhagen wall time. Nexus and MedCom write
 * local times without a zone; reading them as UTC would put an 09:15 note at 10:15 in winter.
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
  second: number;
  /** 0 = Sunday … 6 = Saturday, as Date#getUTCDay. */
  weekday: number;
  /** Offset from UTC in minutes (60 in Danish winter, 120 in summer). */
  offsetMinutes: number;
}

function local(instant: Date | number, tz: string): DateTime {
  return DateTime.fromMillis(typeof instant === 'number' ? instant : instant.getTime(), { zone: tz });
}

/** The local calendar date and clock time of an instant. */
export function localParts(instant: Date | number, tz = COPENHAGEN): LocalParts {
  const t = local(instant, tz);
  return {
    date: t.toISODate() as string,
    year: t.year,
    month: t.month,
    day: t.day,
    hour: t.hour,
    minute: t.minute,
    second: t.second,
    weekday: t.weekday % 7,
    offsetMinutes: t.offset,
  };
}

/** The local calendar date (Europe/Copenhagen) of an instant. */
export function copenhagenDate(instant: Date | number): string {
  return local(instant, COPENHAGEN).toISODate() as string;
}

/**
 * The instant at which the local clock shows `date` `hour`:`minute`. A wall time skipped by the
 * spring change (02:30 on the last Sunday of March) is moved forward by the gap, as Luxon does.
 */
export function localToInstant(date: string, hour: number, minute: number, tz = COPENHAGEN): Date {
  const [year, month, day] = date.split('-').map(Number);
  return DateTime.fromObject({ year, month, day, hour, minute }, { zone: tz }).toJSDate();
}

/** Calendar arithmetic on YYYY-MM-DD strings (no time zone involved). */
export function addCalendarDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() as string;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return DateTime.fromISO(date, { zone: 'UTC' }).weekday % 7;
}

// ISO 8601 as the external systems write it: an optional time, an optional fraction (any length),
// an offset that may lack its colon (Nexus: "+0000") or be missing.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses a timestamp; null when it is not one (including impossible dates such as 2024-02-31).
 * With an offset it is that instant; without one it is Copenhagen wall time (the module's rule).
 * `requireOffset` refuses offset-less values where an offset is part of the contract (TSM_NOW).
 */
export function parseInstant(value: string, opts: { requireOffset?: boolean; requireTime?: boolean } = {}): Date | null {
  if (typeof value !== 'string') return null;
  const m = TIMESTAMP.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = m;
  if ((opts.requireTime && h === undefined) || (opts.requireOffset && !zone)) return null;
  if (Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s) > 59) return null;
  const parts = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h ?? 0),
    minute: Number(mi ?? 0),
    second: Number(s),
    millisecond: Number(frac.padEnd(3, '0').slice(0, 3)),
  };
  const zoneName = !zone ? COPENHAGEN : zone.toUpperCase() === 'Z' ? 'UTC' : fixedOffsetZone(zone);
  const t = DateTime.fromObject(parts, { zone: zoneName });
  // Luxon rolls nothing over: an impossible date or time is invalid, not silently moved.
  return t.isValid ? t.toJSDate() : null;
}

/** "+0100", "+01:00" or "+01" as a Luxon fixed-offset zone name ("UTC+01:00"). */
function fixedOffsetZone(offset: string): string {
  const digits = offset.slice(1).replace(':', '');
  return `UTC${offset[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
}

/** Danish local date, hh:mm, seconds and offset of an instant: what MedCom's formats print. */
export function localStamp(at: Date): { date: string; time: string; seconds: string; offsetMinutes: number } {
  const t = local(at, COPENHAGEN);
  return { date: t.toISODate() as string, time: t.toFormat('HH:mm'), seconds: t.toFormat('ss'), offsetMinutes: t.offset };
}

/** ISO 8601 in Danish local time with its offset, to the second (e.g. FHIR dateTime 2026-12-03T10:15:00+01:00). */
export function localIsoWithOffset(at: Date): string {
  return local(at, COPENHAGEN).startOf('second').toISO({ suppressMilliseconds: true, includeOffset: true }) as string;
}

/** Compact local timestamp for file names: YYYYMMDDhhmmssSSS. */
export function localCompactStamp(at: Date): string {
  return local(at, COPENHAGEN).toFormat('yyyyMMddHHmmssSSS');
}
