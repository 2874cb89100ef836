import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { AdminCredentials, GENERATED_PASSWORD_FILE } from '../../../src/admin/admin-credentials';
import { createLogger, rootLogger, setRootLogger } from '../../../src/logging/logger';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('admin credentials', () => {
  const creds = new AdminCredentials('admin', 'correct horse battery');

  it('accepts exactly the configured user and password', () => {
    expect(creds.verify(basic('admin', 'correct horse battery'))).toBe('admin');
    expect(creds.verify(basic('admin', 'correct horse batter'))).toBeNull();
    expect(creds.verify(basic('Admin', 'correct horse battery'))).toBeNull();
    expect(creds.verify(basic('admin', ''))).toBeNull();
  });

  it('keeps a colon inside the password', () => {
    expect(new AdminCredentials('ops', 'a:b:c:d:e').verify(basic('ops', 'a:b:c:d:e'))).toBe('ops');
  });

  it.each([undefined, '', 'Bearer abc', 'Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`])(
    'rejects the malformed header %p',
    (header) => expect(creds.verify(header)).toBeNull(),
  );

  describe('without ADMIN_PASSWORD (outside production)', () => {
    const previous = rootLogger();
    let lines: string[];
    beforeEach(() => {
      lines = [];
      const destination = new Writable({
        write(chunk, _e, cb) {
          lines.push(chunk.toString());
          cb();
        },
      });
      setRootLogger(createLogger({ level: 'info', destination }));
    });
    afterAll(() => setRootLogger(previous));

    it('generates a password into DATA_DIR/admin-password (0600), logs only the path, and reuses it', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tsm-admin-'));
      const first = AdminCredentials.fromConfig({ ADMIN_USER: 'admin', ADMIN_PASSWORD: undefined, DATA_DIR: path.join(dir, 'data') });
      const file = path.join(dir, 'data', GENERATED_PASSWORD_FILE);
      const password = readFileSync(file, 'utf8').trim();
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(first.verify(basic('admin', password))).toBe('admin');
      expect(lines.join('')).toContain(file);
      expect(lines.join('')).not.toContain(password);

      const second = AdminCredentials.fromConfig({ ADMIN_USER: 'admin', ADMIN_PASSWORD: undefined, DATA_DIR: path.join(dir, 'data') });
      expect(second.verify(basic('admin', password))).toBe('admin');
    });

    it('refuses a password file too short to be a password', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tsm-admin-'));
      writeFileSync(path.join(dir, GENERATED_PASSWORD_FILE), 'abc\n');
      expect(() => AdminCredentials.fromConfig({ ADMIN_USER: 'admin', ADMIN_PASSWORD: undefined, DATA_DIR: dir })).toThrow(
        /no usable admin password/,
      );
    });
  });

  it('uses ADMIN_PASSWORD when set and writes no file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsm-admin-'));
    const c = AdminCredentials.fromConfig({ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'from-the-env-123', DATA_DIR: dir });
    expect(c.verify(basic('ops', 'from-the-env-123'))).toBe('ops');
    expect(() => statSync(path.join(dir, GENERATED_PASSWORD_FILE))).toThrow();
  });
});
