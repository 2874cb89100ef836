import { createHmac, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import type { AppConfig } from '../../config/config.schema';
import { readOrCreateSecret } from '../../infra/generated-secret';
import { rootLogger } from '../../logging/logger';

export const GENERATED_ACCEPT_SECRET_FILE = 'children-accept-link-secret';
export const ACCEPT_LINK_SECRET_MIN = 32;

export type AcceptLinkCheck = 'ok' | 'invalid' | 'expired';

/**
 * The signed, expiring link in the unit's mail that accepts a request without the intake API key:
 * `<PUBLIC_BASE_URL>/children/accept/<requestId>?exp=<unix seconds>&sig=<base64url HMAC-SHA-256>`.
 * The signature covers a purpose tag, the request id and the expiry, so it accepts exactly that
 * request until that instant. The secret is CHILDREN_ACCEPT_LINK_SECRET (required in production);
 * elsewhere one is generated into DATA_DIR/children-accept-link-secret (0600), shared by the api and
 * worker processes on that directory. The link never carries CPR or names.
 */
export class AcceptLinks {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly baseUrl: string,
  ) {
    if (secret.length < ACCEPT_LINK_SECRET_MIN)
      throw new Error(`the accept link secret must have at least ${ACCEPT_LINK_SECRET_MIN} characters`);
    this.key = Buffer.from(secret, 'utf8');
  }

  static fromConfig(c: Pick<AppConfig, 'CHILDREN_ACCEPT_LINK_SECRET' | 'PUBLIC_BASE_URL' | 'DATA_DIR' | 'HOST' | 'PORT'>): AcceptLinks {
    const base = c.PUBLIC_BASE_URL ?? `http://${c.HOST === '0.0.0.0' ? 'localhost' : c.HOST}:${c.PORT || 3000}`;
    if (c.CHILDREN_ACCEPT_LINK_SECRET) return new AcceptLinks(c.CHILDREN_ACCEPT_LINK_SECRET, base);
    const file = path.resolve(c.DATA_DIR, GENERATED_ACCEPT_SECRET_FILE);
    const secret = readOrCreateSecret(file, { bytes: 32, minLength: ACCEPT_LINK_SECRET_MIN, what: 'accept link secret' });
    rootLogger().warn({ file }, 'CHILDREN_ACCEPT_LINK_SECRET is not set: the accept link secret is in this file');
    return new AcceptLinks(secret, base);
  }

  private signature(requestId: string, exp: number): string {
    return createHmac('sha256', this.key).update(`children-accept:v1:${requestId}:${exp}`).digest('base64url');
  }

  /** The link accepting `requestId` until `expiresAt` (rounded down to the second). */
  url(requestId: string, expiresAt: Date): string {
    const exp = Math.floor(expiresAt.getTime() / 1000);
    return `${this.baseUrl.replace(/\/+$/, '')}/children/accept/${encodeURIComponent(requestId)}?exp=${exp}&sig=${this.signature(requestId, exp)}`;
  }

  /** Signature first (constant time), then the expiry: a forged link never learns whether it would have expired. */
  check(requestId: string, exp: unknown, sig: unknown, now: Date): AcceptLinkCheck {
    if (typeof exp !== 'string' || !/^\d{1,12}$/.test(exp) || typeof sig !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return 'invalid';
    const expected = Buffer.from(this.signature(requestId, Number(exp)), 'utf8');
    if (!timingSafeEqual(expected, Buffer.from(sig, 'utf8'))) return 'invalid';
    return now.getTime() < Number(exp) * 1000 ? 'ok' : 'expired';
  }
}
