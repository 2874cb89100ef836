import { readFileSync } from 'node:fs';
import { PermanentError } from '../../src/common/errors';
import { COPENHAGEN, addCalendarDays, localParts, localToInstant, parseInstant } from '../../src/common/local-time';
import { fhirDateTime } from '../medcom/text/medcom-time';
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
      notes: c.notes.map((n) => ({
        ...n,
        observationTimestamp: shiftTimestamp(n.observationTimestamp, days),
        createDate: shiftTimestamp(n.createDate, days),
      })),
    })),
  };
}

function shiftTimestamp(iso: string, days: number): string {
  // The seed schema guarantees an explicit offset, so parseInstant always answers.
  const at = parseInstant(iso)!;
  const local = localParts(at, COPENHAGEN);
  const moved = localToInstant(addCalendarDays(local.date, days), local.hour, local.minute, COPENHAGEN);
  return fhirDateTime(new Date(moved.getTime() + at.getUTCSeconds() * 1000));
}
