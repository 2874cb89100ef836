import { PermanentError } from '../../src/common/errors';

export const NEXUS_SYSTEM = 'nexus';

/** A response that is not what Nexus promises (garbage, missing field or link). Never retried. */
export function badResponse(what: string): PermanentError {
  return new PermanentError(`nexus response ${what}`, 'NEXUS_BAD_RESPONSE', NEXUS_SYSTEM);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `_links[rel].href` of a HAL object, or undefined. */
export function optionalLink(obj: unknown, rel: string): string | undefined {
  if (!isRecord(obj) || !isRecord(obj._links)) return undefined;
  const link = obj._links[rel];
  return isRecord(link) && typeof link.href === 'string' && link.href.length > 0 ? link.href : undefined;
}

/** `_links[rel].href` of a HAL object; a missing link is a bad response (names the rel, nothing else). */
export function requireLink(obj: unknown, rel: string, what: string): string {
  const href = optionalLink(obj, rel);
  if (!href) throw badResponse(`${what} has no "${rel}" link`);
  return href;
}

/**
 * Turns the hrefs Nexus hands out into absolute URLs, and refuses any that leave the configured
 * Nexus origin: hrefs come from response bodies, so following them blindly would let a forged or
 * misconfigured link send our bearer token (and personal data) anywhere (SSRF).
 * Relative hrefs resolve against the home URL; `https://host:443/...` and `https://host/...` are the
 * same origin (WHATWG URL drops default ports).
 */
export class NexusLinkResolver {
  private readonly base: URL;

  constructor(baseUrl: string) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  get origin(): string {
    return this.base.origin;
  }

  get homeUrl(): string {
    return this.base.toString();
  }

  resolve(href: string): string {
    let url: URL;
    try {
      url = new URL(href, this.base);
    } catch {
      throw badResponse('holds a link that is not a URL');
    }
    if (url.origin !== this.base.origin) {
      throw new PermanentError(
        `nexus link to ${url.protocol}//${url.host} refused: not the configured Nexus origin`,
        'NEXUS_LINK_ORIGIN',
        NEXUS_SYSTEM,
      );
    }
    return url.toString();
  }
}
