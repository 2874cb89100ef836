import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGpDirectory } from '../../../adapters/directory/directory.module';
import { FileGpDirectory } from '../../../adapters/directory/file-gp-directory';
import { PermanentError } from '../../../src/common/errors';
import { seedSchema } from '../../../schemas/sandbox-seed.schema';
import { testConfig } from '../../support/test-service';

const practice = {
  ydernummer: '024015',
  name: 'Lægerne i Solhøj',
  ean: '5790001234567',
  sor: '123451000016001',
  formats: ['fhir-json', 'xdis91'] as Array<'fhir-json' | 'xdis91'>,
};

describe('FileGpDirectory', () => {
  it('finds the practice of a seeded citizen through gp.ydernummer', async () => {
    const seed = seedSchema.parse({
      citizens: [{ id: 1, cpr: '0101401234', firstName: 'A', lastName: 'B', gp: { ydernummer: '024015' } }],
      practices: [practice],
    });
    const dir = FileGpDirectory.fromSeed(seed);
    await expect(dir.practiceFor('0101401234')).resolves.toEqual({ ...practice, formats: ['fhir-json', 'xdis91'] });
  });

  it('refuses to guess: an unknown citizen is GP_UNKNOWN, and the message holds no CPR', async () => {
    const dir = new FileGpDirectory({ practices: [practice], gpByCpr: {} });
    const err = await dir.practiceFor('0202501234').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'GP_UNKNOWN' });
    expect((err as Error).message).not.toContain('0202501234');
  });

  it('a citizen whose practice is missing from the table is GP_UNKNOWN naming the ydernummer', async () => {
    const dir = new FileGpDirectory({ practices: [], gpByCpr: { '0101401234': '099999' } });
    await expect(dir.practiceFor('0101401234')).rejects.toMatchObject({ code: 'GP_UNKNOWN', message: expect.stringContaining('099999') });
  });

  it('reads GP_DIRECTORY_FILE and reports a bad file without echoing CPR keys', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gpdir-'));
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ practices: [practice], gpByCpr: { '0101401234': '024015' } }));
    expect(FileGpDirectory.fromFile(good).practice('024015').ean).toBe('5790001234567');

    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ practices: [practice], gpByCpr: { '0101401234': '24015' } }));
    const err = (() => {
      try {
        FileGpDirectory.fromFile(bad);
        return null;
      } catch (e) {
        return e as PermanentError;
      }
    })();
    expect(err?.code).toBe('GP_DIRECTORY_INVALID');
    expect(err?.message).not.toContain('0101401234');

    expect(() => FileGpDirectory.fromFile(path.join(dir, 'missing.json'))).toThrow(
      expect.objectContaining({ code: 'GP_DIRECTORY_UNREADABLE' }),
    );
  });
});

describe('createGpDirectory', () => {
  it('uses the seed only while VANS is the sandbox; with a real VANS and no file every lookup fails', async () => {
    const seeded = createGpDirectory(testConfig());
    expect(seeded.practice('024015').ydernummer).toBe('024015');
    const real = createGpDirectory(testConfig({ MEDCOM_OUT_DIR: '/srv/vans/out', MEDCOM_IN_DIR: '/srv/vans/in', LOG_LEVEL: 'silent' }));
    await expect(real.practiceFor('0101401234')).rejects.toMatchObject({
      code: 'GP_UNKNOWN',
      message: expect.stringContaining('set GP_DIRECTORY_FILE'),
    });
  });
});
