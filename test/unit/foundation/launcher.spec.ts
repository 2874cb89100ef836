import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** bin/tsm-bridge in production: it never installs or builds at start; it says what is missing and exits 2. */
describe('bin/tsm-bridge with NODE_ENV=production', () => {
  const launcherIn = () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tsm-launcher-'));
    mkdirSync(path.join(root, 'bin'));
    copyFileSync(path.join(__dirname, '..', '..', '..', 'bin', 'tsm-bridge'), path.join(root, 'bin', 'tsm-bridge'));
    writeFileSync(path.join(root, 'package-lock.json'), '{}');
    return root;
  };
  const run = (root: string) =>
    spawnSync('sh', [path.join(root, 'bin', 'tsm-bridge'), 'start'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', REDIS_URL: 'redis://127.0.0.1:1' },
    });

  it('refuses to install missing dependencies', () => {
    const root = launcherIn();
    const r = run(root);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tsm-bridge: npm dependencies are missing or older than package-lock.json; run "npm ci --omit=dev"/);
    expect(r.stderr).not.toMatch(/installing/);
  });

  it('refuses to build a missing dist/', () => {
    const root = launcherIn();
    mkdirSync(path.join(root, 'node_modules'));
    writeFileSync(path.join(root, 'node_modules', '.package-lock.json'), '{}');
    const r = run(root);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('tsm-bridge: dist/ is missing or older than the sources; run "npm run build" when deploying\n');
  });
});
