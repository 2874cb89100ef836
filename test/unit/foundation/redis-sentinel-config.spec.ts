import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, describeConfig, loadConfig, secretValues } from '../../../src/config/load-config';
import { resolveRedis } from '../../../src/infra/redis-endpoint';
import { externalRedisOptions, producerRedisOptions, sentinelOptions, workerRedisOptions } from '../../../src/infra/redis-options';

const sentinelEnv = { REDIS_SENTINELS: 's1.kommune.local:26379, 10.0.0.2:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'mymaster' };

describe('Redis Sentinel configuration', () => {
  it('reads the sentinel list, master name and both passwords', () => {
    const c = loadConfig({ ...sentinelEnv, REDIS_SENTINEL_PASSWORD: 'sentinel-secret', REDIS_PASSWORD: 'data-secret' });
    expect(c.REDIS_SENTINELS).toEqual([
      { host: 's1.kommune.local', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
    expect(sentinelOptions(c)).toMatchObject({
      sentinels: c.REDIS_SENTINELS,
      name: 'mymaster',
      sentinelPassword: 'sentinel-secret',
      password: 'data-secret',
      failoverDetector: true,
    });
    // Both passwords are secrets: masked in logs, never shown in the described config.
    expect(secretValues(c)).toEqual(expect.arrayContaining(['sentinel-secret', 'data-secret']));
    expect(describeConfig(c)).toMatchObject({ REDIS_SENTINEL_PASSWORD: '[sensitive]', REDIS_PASSWORD: '[sensitive]' });
  });

  it.each([['s1:26379;s2:26379'], ['s1'], ['s1:26379,'], ['s1:0'], ['s1:70000'], ['redis://s1:26379']])(
    'refuses %j in one line naming REDIS_SENTINELS',
    (value) => {
      let err: unknown;
      try {
        loadConfig({ REDIS_SENTINELS: value, REDIS_SENTINEL_NAME: 'mymaster' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/^Invalid configuration: REDIS_SENTINELS: .*host:port/);
      expect(msg.split('\n')).toHaveLength(1);
    },
  );

  it('requires the master name with the sentinels, and refuses REDIS_URL next to them', () => {
    expect(() => loadConfig({ REDIS_SENTINELS: 's1:26379' })).toThrow(/REDIS_SENTINELS and REDIS_SENTINEL_NAME/);
    expect(() => loadConfig({ REDIS_SENTINEL_NAME: 'mymaster' })).toThrow(/REDIS_SENTINELS and REDIS_SENTINEL_NAME/);
    expect(() => loadConfig({ ...sentinelEnv, REDIS_URL: 'redis://r:6379' })).toThrow(/REDIS_URL and REDIS_SENTINELS: set one/);
    expect(() => loadConfig({ REDIS_SENTINEL_PASSWORD: 'x' })).toThrow(/REDIS_SENTINEL_PASSWORD: only used with REDIS_SENTINELS/);
  });

  it('gives producers and workers the sentinels, with their own retry rules', () => {
    const base = sentinelOptions(loadConfig(sentinelEnv));
    expect(producerRedisOptions(base)).toMatchObject({
      name: 'mymaster',
      sentinels: base.sentinels,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    expect(workerRedisOptions(base)).toMatchObject({ name: 'mymaster', sentinels: base.sentinels, maxRetriesPerRequest: null });
    // A demoted primary answers READONLY: reconnect through the sentinels and resend.
    expect(base.reconnectOnError!(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(base.reconnectOnError!(new Error('ERR wrong number of arguments'))).toBe(false);
  });

  it('uses the sentinels without REDIS_URL and starts no embedded Redis', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tsm-sentinel-cfg-'));
    const endpoint = await resolveRedis(loadConfig({ ...sentinelEnv, DATA_DIR: dataDir }));
    expect(endpoint.embedded).toBeUndefined();
    expect(endpoint.url).toBeUndefined();
    expect(endpoint.options).toMatchObject({ name: 'mymaster' });
    expect(endpoint.label).toBe('sentinel mymaster via s1.kommune.local:26379,10.0.0.2:26380,::1:26381');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets REDIS_URL carry its own password, with REDIS_PASSWORD for a URL without one', () => {
    const c = loadConfig({ REDIS_PASSWORD: 'fallback' });
    expect(externalRedisOptions('redis://:inurl@r:6379', c).password).toBe('inurl');
    expect(externalRedisOptions('redis://r:6379', c).password).toBe('fallback');
  });
});
