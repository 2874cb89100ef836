/**
 * Nexus dates as they arrive on the wire: `2024-03-18T11:53:12.000+0000` (no colon in the offset),
 * sometimes `Z`, `+01:00`, no offset at all or a bare date. Meeting dates are Danish calendar days,
 * so comparisons happen in Europe/Copenhagen.
 */
export const NEXUS_TIME_ZONE = 'Europe/Copenhagen';

const WIRE_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: NEXUS_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: NEXUS_TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** Epoch ms of a Nexus date, or undefined when it is not one. Offset-less values are Copenhagen wall time. */
export function parseNexusDate(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = WIRE_DATE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  // Date.UTC silently rolls 2024-02-31 over to March: reject instead.
  const check = new Date(wall);
  if (check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (!zone) return copenhagenWallToUtc(wall);
  if (zone.toUpperCase() === 'Z') return wall;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
  return wall - sign * offsetMin * 60_000;
}

/** The calendar day (YYYY-MM-DD) in Copenhagen of an instant. */
export function copenhagenDay(epochMs: number): string {
  return dayFormat.format(new Date(epochMs));
}

/** Copenhagen's UTC offset in minutes at an instant (60 in winter, 120 in summer). */
export function copenhagenOffsetMinutes(epochMs: number): number {
  const p = Object.fromEntries(partsFormat.formatToParts(new Date(epochMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

/** Interprets a wall-clock time (given as if UTC) as Copenhagen local time. */
export function copenhagenWallToUtc(wallAsUtcMs: number): number {
  let guess = wallAsUtcMs - copenhagenOffsetMinutes(wallAsUtcMs) * 60_000;
  guess = wallAsUtcMs - copenhagenOffsetMinutes(guess) * 60_000;
  return guess;
}

/** Nexus's own wire style, used by the sandbox: UTC with a colon-less offset. */
export function formatNexusDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

/**
 * A date the client writes to Nexus: UTC with `Z` (`2026-12-03T09:30:00.000Z`), as public clients
 * send form dates (Odense `udfyld_skema_felter` converts to UTC before it writes).
 */
export function toNexusWriteDate(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
