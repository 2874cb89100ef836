import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load-config';
import { AcceptLinks, GENERATED_ACCEPT_SECRET_FILE } from '../../../src/workflows/children/children.accept-link';

/** The signed, expiring accept link (HMAC-SHA-256 over purpose, request id and expiry). */
describe('AcceptLinks', () => {
  const id = '3f2a0000-0000-4000-8000-000000000001';
  const other = '3f2a0000-0000-4000-8000-000000000002';
  const links = new AcceptLinks('s'.repeat(40), 'https://tsm.solhoej.example/');
  const expiresAt = new Date('2026-04-01T22:00:00Z');
  const url = new URL(links.url(id, expiresAt));
  const exp = url.searchParams.get('exp')!;
  const sig = url.searchParams.get('sig')!;
  const before = new Date('2026-03-20T10:00:00Z');

  it('points at PUBLIC_BASE_URL/children/accept/<id> with exp (unix seconds) and sig', () => {
    expect(`${url.origin}${url.pathname}`).toBe(`https://tsm.solhoej.example/children/accept/${id}`);
    expect(exp).toBe(String(expiresAt.getTime() / 1000));
    expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each([
    ['the link as sent, before expiry', id, exp, sig, before, 'ok'],
    ['one second before expiry', id, exp, sig, new Date(expiresAt.getTime() - 1000), 'ok'],
    ['at the expiry instant', id, exp, sig, expiresAt, 'expired'],
    ['after expiry', id, exp, sig, new Date('2026-05-01T00:00:00Z'), 'expired'],
    ['another request id', other, exp, sig, before, 'invalid'],
    ['a later expiry written in', id, String(Number(exp) + 86_400), sig, before, 'invalid'],
    ['a changed signature', id, exp, sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A'), before, 'invalid'],
    ['no signature', id, exp, undefined, before, 'invalid'],
    ['an expiry that is not a number', id, 'soon', sig, before, 'invalid'],
    ['a signature repeated as an array', id, exp, [sig, sig], before, 'invalid'],
  ])('%s → %s', (_what, rid, e, s, now, expected) => {
    expect(links.check(rid, e, s, now)).toBe(expected);
  });

  it('a link signed under another secret is invalid', () => {
    expect(new AcceptLinks('t'.repeat(40), 'https://x').check(id, exp, sig, before)).toBe('invalid');
  });

  it('refuses a short secret', () => {
    expect(() => new AcceptLinks('short', 'https://x')).toThrow(/at least 32/);
  });

  it('outside production without a secret: one is generated into DATA_DIR (0600) and shared by every process on it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'h18-accept-secret-'));
    try {
      const c = loadConfig({ DATA_DIR: dir, PORT: '0' });
      const a = AcceptLinks.fromConfig(c);
      const b = AcceptLinks.fromConfig(c);
      const u = new URL(a.url(id, expiresAt));
      expect(u.origin).toBe('http://127.0.0.1:3000');
      expect(b.check(id, u.searchParams.get('exp'), u.searchParams.get('sig'), before)).toBe('ok');
      expect(statSync(path.join(dir, GENERATED_ACCEPT_SECRET_FILE)).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the config requires CHILDREN_ACCEPT_LINK_SECRET and PUBLIC_BASE_URL in production', () => {
    const prod = { NODE_ENV: 'production', ADMIN_PASSWORD: 'a-long-password', INTAKE_API_KEY: 'x'.repeat(16) };
    expect(() => loadConfig(prod)).toThrow(/CHILDREN_ACCEPT_LINK_SECRET: required in production/);
    expect(() => loadConfig({ ...prod, CHILDREN_ACCEPT_LINK_SECRET: 'y'.repeat(32) })).toThrow(/PUBLIC_BASE_URL: required in production/);
    expect(() => loadConfig({ ...prod, CHILDREN_ACCEPT_LINK_SECRET: 'short' })).toThrow(/CHILDREN_ACCEPT_LINK_SECRET/);
    const c = loadConfig({ ...prod, CHILDREN_ACCEPT_LINK_SECRET: 'y'.repeat(32), PUBLIC_BASE_URL: 'https://tsm.kommune.example' });
    expect(AcceptLinks.fromConfig(c).url(id, expiresAt)).toMatch(/^https:\/\/tsm\.kommune\.example\/children\/accept\//);
  });
});
