/**
 * MedCom timestamps are Danish local time: OIOXML as a date and hh:mm without zone, FHIR as
 * dateTime with the local offset (e.g. 2026-12-03T10:15:00+01:00).
 */
const TZ = 'Europe/Copenhagen';
const parts = new Intl.DateTimeFormat('en-US', {
  timeZone: TZ, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

export interface LocalStamp {
  date: string; // YYYY-MM-DD
  time: string; // hh:mm
  seconds: string; // ss
  /** Offset from UTC in minutes (60 in winter, 120 in summer). */
  offsetMinutes: number;
}

export function localStamp(at: Date): LocalStamp {
  const p: Record<string, string> = {};
  for (const x of parts.formatToParts(at)) if (x.type !== 'literal') p[x.type] = x.value;
  const wallUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const offsetMinutes = Math.round((wallUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}`, seconds: p.second, offsetMinutes };
}

/** FHIR dateTime in Danish local time with its offset, to the second. */
export function fhirDateTime(at: Date): string {
  const s = localStamp(at);
  const sign = s.offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(s.offsetMinutes);
  return `${s.date}T${s.time}:${s.seconds}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Compact local timestamp for file names: YYYYMMDDhhmmssSSS. */
export function fileStamp(at: Date): string {
  const s = localStamp(at);
  return `${s.date.replace(/-/g, '')}${s.time.replace(':', '')}${s.seconds}${String(at.getMilliseconds()).padStart(3, '0')}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
