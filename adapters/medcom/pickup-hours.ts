import { addCalendarDays, localParts, localToInstant } from '../../src/common/local-time';

/**
 * The hours the VANS client picks letters up from the out-folder (Danish local time). Clients sync
 * on a schedule – OS2korrespondance's file sync runs every 5 minutes, only 05:00–23:00 – so a letter
 * written at 23:10 leaves at 05:00, and a receipt clock that ran overnight would resend it twice
 * before it ever left. The receipt clock therefore runs only inside these hours.
 */
export interface PickupWindow {
  /** First hour of pickup, 0–23. */
  startHour: number;
  /** Hour pickup stops (exclusive), 1–24; smaller than startHour for a window across midnight. */
  endHour: number;
}

/** "05-23" → { startHour: 5, endHour: 23 }; unset → undefined (the clock always runs). */
export function parsePickupHours(spec: string | undefined): PickupWindow | undefined {
  if (!spec) return undefined;
  const m = /^(\d{2})-(\d{2})$/.exec(spec);
  if (!m) throw new Error(`pickup hours must be HH-HH (got ${spec})`);
  const startHour = Number(m[1]) % 24;
  const endHour = Number(m[2]) === 0 ? 24 : Number(m[2]);
  if (startHour === endHour % 24 || endHour > 24) throw new Error(`pickup hours ${spec} are not a window`);
  return { startHour, endHour };
}

function inWindow(hour: number, w: PickupWindow): boolean {
  return w.startHour < w.endHour ? hour >= w.startHour && hour < w.endHour : hour >= w.startHour || hour < w.endHour;
}

/** The instant the local clock shows `hour`:00 on `date` (hour 24 = the next day's midnight). */
function at(date: string, hour: number): Date {
  return hour >= 24 ? localToInstant(addCalendarDays(date, 1), hour - 24, 0) : localToInstant(date, hour, 0);
}

/** When the window that contains `t` closes. */
function windowEnd(t: Date, w: PickupWindow): Date {
  const p = localParts(t);
  // Across midnight, the part after midnight closes today; the part before closes tomorrow.
  if (w.startHour > w.endHour && p.hour >= w.startHour) return at(addCalendarDays(p.date, 1), w.endHour);
  return at(p.date, w.endHour);
}

/** When the next window opens after `t` (t lies outside every window). */
function nextStart(t: Date, w: PickupWindow): Date {
  const p = localParts(t);
  return p.hour < w.startHour ? at(p.date, w.startHour) : at(addCalendarDays(p.date, 1), w.startHour);
}

/**
 * When a receipt clock of `runMs` started at `from` runs out if it only runs inside the pickup
 * window: from + runMs without a window; otherwise the time outside the window is skipped (a letter
 * written at 23:10 with 05-23 and 15 minutes is due at 05:15).
 */
export function receiptDueAt(from: Date, runMs: number, window?: PickupWindow): Date {
  if (!window) return new Date(from.getTime() + runMs);
  let t = from;
  let remaining = runMs;
  for (let i = 0; i < 1000; i++) {
    if (!inWindow(localParts(t).hour, window)) t = nextStart(t, window);
    const end = windowEnd(t, window);
    if (t.getTime() + remaining <= end.getTime()) return new Date(t.getTime() + remaining);
    remaining -= end.getTime() - t.getTime();
    t = end;
  }
  return new Date(t.getTime() + remaining);
}
