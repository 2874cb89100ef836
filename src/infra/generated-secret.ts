import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A secret generated once into a 0600 file under DATA_DIR (for development and sandbox use when
 * none is configured), shared by every process that uses the same data directory.
 */
export function readOrCreateSecret(file: string, opts: { bytes: number; minLength: number; what: string }): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const generated = randomBytes(opts.bytes).toString('base64url');
  try {
    // 'wx': processes booting together must not overwrite each other's secret.
    writeFileSync(file, generated + '\n', { mode: 0o600, flag: 'wx' });
    return generated;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  chmodSync(file, 0o600);
  const existing = readFileSync(file, 'utf8').trim();
  if (existing.length < opts.minLength) {
    throw new Error(`${file} holds no usable ${opts.what} (at least ${opts.minLength} characters); delete it to generate a new one`);
  }
  return existing;
}
