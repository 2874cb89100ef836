import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `npm test` first runs bin/check-deps.js: one line saying "run npm ci first" instead of "tsc: not found". */
const script = path.join(__dirname, '..', '..', '..', 'bin', 'check-deps.js');
const check = (root: string) => spawnSync(process.execPath, [script, root], { encoding: 'utf8' });

describe('bin/check-deps.js', () => {
  const clone = () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tsm-check-deps-'));
    writeFileSync(path.join(root, 'package-lock.json'), '{}');
    return root;
  };

  it('says "run npm ci first" in one line and exits 1 on a clone without node_modules', () => {
    const r = check(clone());
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('tsm-bridge: npm dependencies are not installed: run npm ci first\n');
  });

  it('says so too when the lock is newer than the installed tree', () => {
    const root = clone();
    mkdirSync(path.join(root, 'node_modules'));
    writeFileSync(path.join(root, 'node_modules', '.package-lock.json'), '{}');
    utimesSync(path.join(root, 'node_modules', '.package-lock.json'), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    utimesSync(path.join(root, 'package-lock.json'), new Date('2026-06-01T00:00:00Z'), new Date('2026-06-01T00:00:00Z'));
    const r = check(root);
    expect([r.status, r.stderr]).toEqual([1, 'tsm-bridge: npm dependencies are older than package-lock.json: run npm ci first\n']);
  });

  it('is silent and exits 0 when the install is current', () => {
    const root = clone();
    mkdirSync(path.join(root, 'node_modules'));
    writeFileSync(path.join(root, 'node_modules', '.package-lock.json'), '{}');
    utimesSync(path.join(root, 'package-lock.json'), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    const r = check(root);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
  });
});
