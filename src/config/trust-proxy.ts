import { isIP } from 'node:net';

/** proxy-addr's (express's) names for address ranges. */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Why a TRUST_PROXY value is refused, or undefined when it is usable. `true` trusts every hop of
 * X-Forwarded-For, so each client names its own address and a per-address limit (sign-in guessing)
 * is void: only a hop count or the proxies' own addresses say which entry a proxy wrote.
 */
export function trustProxyProblem(value: string): string | undefined {
  const v = value.trim();
  if (v === '' || v === 'false' || /^\d+$/.test(v)) return undefined;
  if (v === 'true') {
    return 'true trusts every X-Forwarded-For hop, so any client can choose its address; give the number of proxies (e.g. 1) or their addresses/CIDRs';
  }
  const bad = v
    .split(',')
    .map((s) => s.trim())
    .find((entry) => !isProxyEntry(entry));
  return bad === undefined
    ? undefined
    : `a hop count, or comma-separated proxy addresses/CIDRs (or loopback, linklocal, uniquelocal); not ${JSON.stringify(bad.slice(0, 60))}`;
}

function isProxyEntry(entry: string): boolean {
  if (NAMED_RANGES.includes(entry)) return true;
  const [addr, bits, ...rest] = entry.split('/');
  const family = isIP(addr);
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  // proxy-addr also takes an IPv4 netmask after the slash.
  if (family === 4 && isIP(bits) === 4) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** TRUST_PROXY as express takes it: a hop count, false, or the proxies' addresses/CIDRs. */
export function trustProxySetting(value: string | undefined): false | number | string {
  const v = value?.trim();
  if (v === undefined || v === '' || v === 'false') return false;
  const problem = trustProxyProblem(v);
  if (problem) throw new Error(`TRUST_PROXY: ${problem}`);
  return /^\d+$/.test(v) ? Number(v) : v;
}
