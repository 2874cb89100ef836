/** Parses an operator-given age like 30d, 12h, 15m or 45s into milliseconds. */
export function parseAge(s: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(s);
  if (!m) throw new Error(`expected an age like 30d, 12h, 15m or 45s (got ${JSON.stringify(s).slice(0, 40)})`);
  return Number(m[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as 's' | 'm' | 'h' | 'd'];
}
