import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gs1CheckDigitValid, medcomBootProblem, sandboxDefault, SENDER_AND_AUTHOR_KEYS } from '../../../adapters/medcom/medcom.boot-guard';
import { ConfigError, loadConfig } from '../../../src/config/load-config';
import { startService } from '../../../src/main';
import { PRODUCTION_ENV } from '../../support/production-env';

/** Issue 16 point 3: no letter to a real VANS with the sandbox's sender or author. */
const REAL_SENDER = {
  MEDCOM_SENDER_EAN: '5790001234010', // a valid GLN
  MEDCOM_SENDER_SOR: '425621000016008',
  MEDCOM_SENDER_ID: '461',
  MEDCOM_SENDER_NAME: 'Odense Kommune Ældre',
  MEDCOM_AUTHOR_GIVEN_NAME: 'Karin',
  MEDCOM_AUTHOR_FAMILY_NAME: 'Koordinator',
  MEDCOM_AUTHOR_ROLE: 'Koordinerende sygeplejerske',
  MEDCOM_AUTHOR_PHONE: '65511111',
};

describe('MedCom boot guard', () => {
  it('with a real VANS, a GP directory practice whose EAN fails GS1 stops the boot (ydernummer and EAN named, nothing else)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'guard-dir-'));
    const file = path.join(dir, 'gp-directory.json');
    const practice = { ydernummer: '024015', name: 'Lægerne', sor: '1234', formats: ['xdis91'] };
    try {
      writeFileSync(file, JSON.stringify({ practices: [{ ...practice, ean: '5790001234010' }], gpByCpr: {} }));
      const sender = { ...REAL_SENDER, MEDCOM_OUT_DIR: '/srv/vans/out', GP_DIRECTORY_FILE: file };
      expect(medcomBootProblem(loadConfig(sender))).toBeNull();
      writeFileSync(file, JSON.stringify({ practices: [{ ...practice, ean: '5790001234015' }], gpByCpr: {} }));
      expect(medcomBootProblem(loadConfig(sender))).toBe(
        'Invalid configuration: GP_DIRECTORY_FILE: practice 024015 has EAN 5790001234015, which fails the GS1 check digit (a VANS cannot route to it) while MEDCOM_OUT_DIR is set (a real VANS)',
      );
      // The VANS simulator's folders: the sandbox seed's practices are not checked.
      expect(medcomBootProblem(loadConfig({ ...sender, MEDCOM_VANS_SANDBOX: 'true' }))).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('knows the GS1 check digit: the sandbox EAN fails it, real GLNs pass', () => {
    expect(gs1CheckDigitValid('5790000123456')).toBe(false);
    expect(gs1CheckDigitValid('5790000123452')).toBe(true);
    expect(gs1CheckDigitValid('5798000012349')).toBe(true);
    expect(gs1CheckDigitValid('4006381333931')).toBe(true);
    expect(gs1CheckDigitValid('579000012345')).toBe(false);
  });

  it("the sandbox values are the config's defaults", () => {
    const defaults = loadConfig({}) as unknown as Record<string, unknown>;
    for (const key of SENDER_AND_AUTHOR_KEYS) expect(sandboxDefault(key)).toBe(String(defaults[key]));
    expect(sandboxDefault('MEDCOM_SENDER_EAN')).toBe('5790000123456');
  });

  it('holds with MEDCOM_OUT_DIR or in production, not for the built-in or an explicitly named VANS simulator', () => {
    expect(medcomBootProblem(loadConfig({}))).toBeNull();
    expect(medcomBootProblem(loadConfig({ MEDCOM_OUT_DIR: '/srv/vans/out' }))).toMatch(/^Invalid configuration: MEDCOM_SENDER_EAN: /);
    expect(medcomBootProblem(loadConfig({ MEDCOM_OUT_DIR: '/srv/vans/out', MEDCOM_VANS_SANDBOX: 'true' }))).toBeNull();
    const prod = PRODUCTION_ENV;
    expect(medcomBootProblem(loadConfig(prod))).toMatch(/while NODE_ENV is production/);
    // In production the simulator marker lifts nothing: a production deployment carries its own sender.
    expect(medcomBootProblem(loadConfig({ ...prod, MEDCOM_VANS_SANDBOX: 'true' }))).toMatch(/while NODE_ENV is production/);
    // What startSandboxes hands on when it starts the VANS simulator (the demo, the sandbox command).
    expect(medcomBootProblem({ ...loadConfig({}), MEDCOM_OUT_DIR: '/tmp/x/medcom/out', MEDCOM_VANS_SANDBOX: true })).toBeNull();
  });

  it('the service refuses to boot with a ConfigError (the CLI: exit 2) before it touches Redis', async () => {
    const err = await startService({
      role: 'worker',
      env: { MEDCOM_OUT_DIR: '/srv/vans/out', REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'silent' },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      /^Invalid configuration: MEDCOM_SENDER_EAN: the sandbox value "5790000123456" while MEDCOM_OUT_DIR is set \(a real VANS\)/,
    );
  });
});
