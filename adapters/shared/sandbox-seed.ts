import { readFileSync } from 'node:fs';
import { PermanentError } from '../../src/common/errors';
import { shippedFile } from '../../src/infra/project-root';
import { Seed, seedSchema } from '../../schemas/sandbox-seed.schema';

/** The built-in seed: a realistic district used by `demo` and by the sandbox when no SANDBOX_SEED is set. */
export const DEFAULT_SEED_FILE = shippedFile('adapters', 'shared', 'seeds', 'default-seed.json');

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
