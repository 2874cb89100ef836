import { authFailureLimit, trustProxySetting } from '../../../src/admin/auth-failure-limit';
import { ConfigError, loadConfig } from '../../../src/config/load-config';

describe('TRUST_PROXY and AUTH_FAILURE_LIMIT settings', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['1', 1],
    ['2', 2],
    ['loopback', 'loopback'],
    ['10.0.0.1, 10.0.0.2', '10.0.0.1, 10.0.0.2'],
    ['10.0.0.0/8,fd00::/8', '10.0.0.0/8,fd00::/8'],
    ['192.168.0.0/255.255.0.0', '192.168.0.0/255.255.0.0'],
  ])('TRUST_PROXY=%p is express "trust proxy" %p', (value, expected) => {
    expect(trustProxySetting(value)).toEqual(expected);
  });

  it('TRUST_PROXY=true stops the boot with one line: every client could name its own address', () => {
    const boot = () => loadConfig({ TRUST_PROXY: 'true' });
    expect(boot).toThrow(ConfigError);
    expect(boot).toThrow(/^Invalid configuration: TRUST_PROXY: true trusts every X-Forwarded-For hop[^\n]*\(got "true"\)$/);
    expect(() => trustProxySetting('true')).toThrow(/TRUST_PROXY/);
  });

  it.each(['yes', '10.0.0.300', '10.0.0.0/33', 'proxy.example', '1.2.3.4/8/1'])('TRUST_PROXY=%p is refused at boot', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(
      /^Invalid configuration: TRUST_PROXY: a hop count, or comma-separated proxy addresses/,
    );
  });

  it('AUTH_FAILURE_LIMIT=0 turns the limit off', () => {
    expect(authFailureLimit({ AUTH_FAILURE_LIMIT: 0, AUTH_FAILURE_WINDOW_MIN: 15 })).toBeUndefined();
    expect(typeof authFailureLimit({ AUTH_FAILURE_LIMIT: 5, AUTH_FAILURE_WINDOW_MIN: 15 })).toBe('function');
  });
});
