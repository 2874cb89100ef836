import type { RequestHooks, ResilientHttp } from '../shared/resilient-http';
import { badResponse, isRecord } from './nexus.links';

export interface AccessToken {
  value: string;
  expiresInS: number;
}

export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/** OAuth2 client-credentials grant as Nexus's Keycloak realm expects it: a form POST. */
export async function requestClientCredentialsToken(http: ResilientHttp, c: ClientCredentials, hooks?: RequestHooks): Promise<AccessToken> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret });
  const res = await http.request(
    {
      method: 'POST',
      url: c.tokenUrl,
      data: form.toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    },
    hooks,
  );
  const body = res.data;
  if (!isRecord(body) || typeof body.access_token !== 'string' || body.access_token === '') {
    throw badResponse('from the token endpoint has no access_token');
  }
  const expiresInS = Number(body.expires_in);
  if (!Number.isFinite(expiresInS) || expiresInS <= 0) throw badResponse('from the token endpoint has no valid expires_in');
  return { value: body.access_token, expiresInS };
}

/**
 * Caches one access token and renews it at `renewAt` (90 %) of its lifetime, so a request never
 * leaves with a token about to expire. Concurrent callers share one token request.
 */
export class TokenCache {
  private current?: { value: string; renewAtMs: number };
  private inFlight?: Promise<string>;

  constructor(
    private readonly fetchToken: (hooks?: RequestHooks) => Promise<AccessToken>,
    private readonly now: () => number = Date.now,
    private readonly renewAt = 0.9,
  ) {}

  /** `hooks` go with the token request if this call is the one that makes it (its caller's call budget). */
  async token(hooks?: RequestHooks): Promise<string> {
    if (this.current && this.now() < this.current.renewAtMs) return this.current.value;
    this.inFlight ??= this.renew(hooks).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Drops the token a request was refused with (401); a newer token fetched meanwhile is kept. */
  invalidate(value: string): void {
    if (this.current?.value === value) this.current = undefined;
  }

  private async renew(hooks: RequestHooks | undefined): Promise<string> {
    const started = this.now();
    const t = await this.fetchToken(hooks);
    this.current = { value: t.value, renewAtMs: started + t.expiresInS * 1000 * this.renewAt };
    return t.value;
  }
}
