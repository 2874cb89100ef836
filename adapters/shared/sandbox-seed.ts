import { readFileSync } from 'node:fs';
import { PermanentError } from '../../src/common/errors';
import { addCalendarDays, COPENHAGEN, localParts, localToInstant } from '../../src/domain/local-time';
import { shippedFile } from '../../src/infra/project-root';
import { Seed, seedSchema } from '../../schemas/sandbox-seed.schema';

/** The built-in seed: a realistic district used by `demo` and by the sandbox when no SANDBOX_SEED is set. */
export const DEFAULT_SEED_FILE = shippedFile('adapters', 'shared', 'seeds', 'default-seed.json');

/** The Solhøj meeting the default seed's notes are written for; the sandbox moves them to the clock's next meeting. */
export const DEFAULT_SEED_MEETING = '2026-12-03';

/** Reads and validates a seed file; a bad file is a clear error naming the first wrong field (no values shown). */
export function loadSeed(file: string = DEFAULT_SEED_FILE): Seed {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PermanentError(`cannot read seed file ${file}: ${(err as Error).message.split('\n')[0]}`, 'SEED_UNREADABLE');
  }
  const parsed = seedSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new PermanentError(`invalid seed file ${file}: ${i.path.join('.')}: ${i.message}`, 'SEED_INVALID');
  }
  return parsed.data;
}

/**
 * The seed with every note timestamp moved `days` calendar days in Copenhagen wall time: a note made
 * at 09:15 three days before its meeting still is, on either side of a DST change. Moving by whole
 * meeting cadences keeps each note on its series' meeting date.
 */
export function shiftSeed(seed: Seed, days: number): Seed {
  if (days === 0) return seed;
  return {
    ...seed,
    citizens: seed.citizens.map((c) => ({
      ...c,
      notes: c.notes.map((n) => ({ ...n, observationTimestamp: shiftTimestamp(n.observationTimestamp, days), createDate: shiftTimestamp(n.createDate, days) })),
    })),
  };
}

function shiftTimestamp(iso: string, days: number): string {
  const at = new Date(iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  const local = localParts(at, COPENHAGEN);
  const date = addCalendarDays(local.date, days);
  const seconds = at.getUTCSeconds();
  const moved = new Date(localToInstant(date, local.hour, local.minute, COPENHAGEN).getTime() + seconds * 1000);
  const offsetMin = Math.round((Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10), local.hour, local.minute, seconds) - moved.getTime()) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date}T${pad(local.hour)}:${pad(local.minute)}:${pad(seconds)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
