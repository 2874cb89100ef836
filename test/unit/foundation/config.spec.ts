import { describeConfig, isSensitive, loadConfig, ConfigError, secretValues } from '../../../src/config/load-config';
import { PRODUCTION_ENV } from '../../support/production-env';

describe('config', () => {
  it('defaults to sandbox mode for every system when nothing is configured', () => {
    const c = loadConfig({});
    expect(c.ROLE).toBe('all');
    expect(c.sandbox).toEqual({ nexus: true, edoc: true, medcom: true });
    expect(c.NEXUS_CONCURRENCY).toBe(4);
  });

  it('names the variable and what is expected in one line', () => {
    expect(() => loadConfig({ NEXUS_CONCURRENCY: 'many' })).toThrow(ConfigError);
    try {
      loadConfig({ NEXUS_CONCURRENCY: 'many' });
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/^Invalid configuration: NEXUS_CONCURRENCY: .*number/);
      expect(msg).toContain('"many"');
      expect(msg.split('\n')).toHaveLength(1);
    }
  });

  it('rejects a bad role and a bad Redis URL', () => {
    expect(() => loadConfig({ ROLE: 'boss' })).toThrow(/ROLE/);
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
  });

  it('never shows a sensitive value, even when it is invalid', () => {
    try {
      loadConfig({ ADMIN_PASSWORD: 'short' });
      throw new Error('should fail');
    } catch (e) {
      expect((e as Error).message).toContain('ADMIN_PASSWORD');
      expect((e as Error).message).not.toContain('short"');
    }
  });

  it('requires the whole Nexus credential set once a real Nexus is configured', () => {
    expect(() => loadConfig({ NEXUS_BASE_URL: 'https://x.nexus.kmd.dk/api/core/mobile/x/v2/' })).toThrow(/NEXUS_CLIENT_SECRET/);
  });

  it('mail over SMTP: MAIL_FROM required, credentials only in their own sensitive settings, no plain SMTP in production', () => {
    expect(() => loadConfig({ MAIL_SMTP_URL: 'smtp://relay.kommune.example:587' })).toThrow(/MAIL_FROM is required/);
    expect(() => loadConfig({ MAIL_SMTP_URL: 'smtp://user:pw@relay.kommune.example', MAIL_FROM: 'tsm@kommune.example' })).toThrow(
      /MAIL_SMTP_URL: .*without user or password/,
    );
    expect(() => loadConfig({ MAIL_SMTP_URL: 'http://relay', MAIL_FROM: 'tsm@kommune.example' })).toThrow(/MAIL_SMTP_URL/);
    expect(() =>
      loadConfig({ MAIL_SMTP_URL: 'smtps://relay.kommune.example', MAIL_FROM: 'tsm@kommune.example', MAIL_SMTP_USER: 'tsm' }),
    ).toThrow(/MAIL_SMTP_PASSWORD/);
    const prod = {
      ...PRODUCTION_ENV,
      MAIL_SMTP_URL: 'smtp://relay.kommune.example',
      MAIL_FROM: 'TSM <tsm@kommune.example>',
    };
    expect(loadConfig(prod).MAIL_SMTP_INSECURE).toBe(false);
    expect(() => loadConfig({ ...prod, MAIL_SMTP_INSECURE: 'true' })).toThrow(/MAIL_SMTP_INSECURE: refused in production/);
    expect(loadConfig({ ...prod, NODE_ENV: 'development', MAIL_SMTP_INSECURE: 'true' }).MAIL_SMTP_INSECURE).toBe(true);
    expect(isSensitive('MAIL_SMTP_USER')).toBe(true);
    expect(isSensitive('MAIL_SMTP_PASSWORD')).toBe(true);
  });

  it('requires an admin password in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ADMIN_PASSWORD/);
  });

  it('marks secrets sensitive and hides them when the config is described', () => {
    expect(isSensitive('NEXUS_CLIENT_SECRET')).toBe(true);
    expect(isSensitive('EDOC_PASSWORD')).toBe(true);
    expect(isSensitive('NEXUS_CONCURRENCY')).toBe(false);
    const c = loadConfig({ ADMIN_PASSWORD: 'super-secret-pw' });
    expect(describeConfig(c).ADMIN_PASSWORD).toBe('[sensitive]');
    expect(secretValues(c)).toContain('super-secret-pw');
  });
});
