import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IntakeApiKey, GENERATED_KEY_FILE } from '../../../src/workflows/children/http/intake-api-key';
import { loadConfig } from '../../../src/config/load-config';

describe('IntakeApiKey', () => {
  const key = new IntakeApiKey('k'.repeat(16) + '-secret');

  it.each([
    [{ authorization: `Bearer ${'k'.repeat(16)}-secret` }, true],
    [{ authorization: `bearer ${'k'.repeat(16)}-secret ` }, true],
    [{ 'x-api-key': `${'k'.repeat(16)}-secret` }, true],
    [{ authorization: `Bearer ${'k'.repeat(16)}-secreT` }, false],
    [{ authorization: `Basic ${'k'.repeat(16)}-secret` }, false],
    [{ 'x-api-key': ['a', 'b'] }, false],
    [{}, false],
  ])('%j → %s', (headers, ok) => {
    expect(key.verify(headers)).toBe(ok);
  });

  it('refuses keys shorter than 16 characters', () => {
    expect(() => new IntakeApiKey('short')).toThrow('16');
  });

  it('outside production without INTAKE_API_KEY: generates one key file (0600) and reuses it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsm-intake-key-'));
    const a = IntakeApiKey.fromConfig({ DATA_DIR: dir });
    const file = path.join(dir, GENERATED_KEY_FILE);
    const generated = readFileSync(file, 'utf8').trim();
    expect(generated.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(a.verify({ authorization: `Bearer ${generated}` })).toBe(true);
    const b = IntakeApiKey.fromConfig({ DATA_DIR: dir });
    expect(b.verify({ 'x-api-key': generated })).toBe(true);
  });

  it('refuses a generated key file that holds no usable key', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsm-intake-key-'));
    writeFileSync(path.join(dir, GENERATED_KEY_FILE), 'x\n');
    expect(() => IntakeApiKey.fromConfig({ DATA_DIR: dir })).toThrow('delete it');
  });

  it('the config requires INTAKE_API_KEY in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', ADMIN_PASSWORD: 'a-long-password' })).toThrow(/INTAKE_API_KEY/);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        ADMIN_PASSWORD: 'a-long-password',
        INTAKE_API_KEY: 'x'.repeat(16),
        CHILDREN_ACCEPT_LINK_SECRET: 'y'.repeat(32),
        PUBLIC_BASE_URL: 'https://tsm.kommune.example',
      }).INTAKE_API_KEY,
    ).toBe('x'.repeat(16));
  });
});

describe('children config', () => {
  it('parses closed days and refuses malformed ones', () => {
    expect(loadConfig({ CHILDREN_CLOSED_DAYS: '12-24,12-31' }).CHILDREN_CLOSED_DAYS).toEqual(['12-24', '12-31']);
    // Most municipalities close on juleaftensdag and nytårsaftensdag: closed unless configured otherwise.
    expect(loadConfig({}).CHILDREN_CLOSED_DAYS).toEqual(['12-24', '12-31']);
    expect(loadConfig({ CHILDREN_CLOSED_DAYS: 'none' }).CHILDREN_CLOSED_DAYS).toEqual([]);
    expect(loadConfig({ CHILDREN_CLOSED_DAYS: '12-24,12-31,06-05' }).CHILDREN_CLOSED_DAYS).toEqual(['12-24', '12-31', '06-05']);
    expect(() => loadConfig({ CHILDREN_CLOSED_DAYS: '24-12' })).toThrow(/CHILDREN_CLOSED_DAYS/);
  });

  it('defaults: 10 working days, home visits exempt from the windows', () => {
    const c = loadConfig({});
    expect([c.CHILDREN_ACCEPT_WORKING_DAYS, c.CHILDREN_HOME_VISIT_WINDOW_EXEMPT, c.CHILDREN_FOLLOWUP_DAYS]).toEqual([10, false, 90]);
  });
});
