import { createHash, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import type { AppConfig } from '../../../config/config.schema';
import { readOrCreateSecret } from '../../../infra/generated-secret';
import { rootLogger } from '../../../logging/logger';

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
    const key = readOrCreateSecret(file, { bytes: 24, minLength: MIN_LENGTH, what: 'intake API key' });
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
