import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config/config.schema';
import { rootLogger } from '../logging/logger';

export const GENERATED_KEY_FILE = 'intake-api-key';
const MIN_LENGTH = 16;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * The key the intake system (the municipality's form solution) presents: INTAKE_API_KEY, required
 * in production by the config; elsewhere generated once into DATA_DIR/intake-api-key (mode 0600) and
 * shared by every process using that directory. The key itself is never logged.
 */
export class IntakeApiKey {
  private readonly keyDigest: Buffer;

  constructor(key: string) {
    if (key.length < MIN_LENGTH) throw new Error(`the intake API key must have at least ${MIN_LENGTH} characters`);
    this.keyDigest = digest(key);
  }

  static fromConfig(config: Pick<AppConfig, 'INTAKE_API_KEY' | 'DATA_DIR'>): IntakeApiKey {
    if (config.INTAKE_API_KEY) return new IntakeApiKey(config.INTAKE_API_KEY);
    const file = path.resolve(config.DATA_DIR, GENERATED_KEY_FILE);
    const key = readOrCreateKey(file);
    rootLogger().warn({ file }, 'INTAKE_API_KEY is not set: the intake API key is in this file');
    return new IntakeApiKey(key);
  }

  /** `Authorization: Bearer <key>` or `X-Api-Key: <key>`, compared in constant time. */
  verify(headers: { authorization?: string; 'x-api-key'?: string | string[] }): boolean {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
    const header = headers['x-api-key'];
    const presented = bearer ?? (typeof header === 'string' ? header.trim() : undefined);
    if (!presented) return false;
    // Fixed-length digests: the comparison time says nothing about the key's length or prefix.
    return timingSafeEqual(digest(presented), this.keyDigest);
  }
}

function readOrCreateKey(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const generated = randomBytes(24).toString('base64url');
  try {
    // 'wx': processes booting together must not overwrite each other's key.
    writeFileSync(file, generated + '\n', { mode: 0o600, flag: 'wx' });
    return generated;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  chmodSync(file, 0o600);
  const existing = readFileSync(file, 'utf8').trim();
  if (existing.length < MIN_LENGTH) throw new Error(`${file} holds no usable intake API key (at least ${MIN_LENGTH} characters); delete it to generate a new one`);
  return existing;
}
