import { createHash, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import type { AppConfig } from '../config/config.schema';
import { readOrCreateSecret } from '../infra/generated-secret';
import { rootLogger } from '../logging/logger';

export const GENERATED_PASSWORD_FILE = 'admin-password';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * The one admin account (HTTP Basic). ADMIN_PASSWORD in production (the config refuses to boot
 * without it); elsewhere a random password is generated once into DATA_DIR/admin-password
 * (mode 0600) and reused by every process sharing that directory. The password itself is never logged.
 */
export class AdminCredentials {
  private readonly userDigest: Buffer;
  private readonly passwordDigest: Buffer;

  constructor(
    readonly user: string,
    password: string,
  ) {
    this.userDigest = digest(user);
    this.passwordDigest = digest(password);
  }

  static fromConfig(config: Pick<AppConfig, 'ADMIN_USER' | 'ADMIN_PASSWORD' | 'DATA_DIR'>): AdminCredentials {
    if (config.ADMIN_PASSWORD) return new AdminCredentials(config.ADMIN_USER, config.ADMIN_PASSWORD);
    const file = path.resolve(config.DATA_DIR, GENERATED_PASSWORD_FILE);
    const password = readOrCreateSecret(file, { bytes: 18, minLength: 8, what: 'admin password' });
    rootLogger().warn({ file }, 'ADMIN_PASSWORD is not set: the admin password is in this file');
    return new AdminCredentials(config.ADMIN_USER, password);
  }

  /** The user name if the Authorization header carries the right Basic credentials, else null. */
  verify(authorization: string | undefined): string | null {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
    if (!m) return null;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const user = decoded.slice(0, colon);
    // Compare fixed-length digests in constant time, and always both, so timing reveals neither part.
    const userOk = timingSafeEqual(digest(user), this.userDigest);
    const passwordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), this.passwordDigest);
    return userOk && passwordOk ? user : null;
  }
}
