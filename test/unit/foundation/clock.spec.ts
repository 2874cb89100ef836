import { ManualClock, serviceClock, systemClock } from '../../../src/common/clock';
import { loadConfig } from '../../../src/config/load-config';
import { PRODUCTION_ENV } from '../../support/production-env';

describe('the service clock', () => {
  const prod = PRODUCTION_ENV;

  it('TSM_NOW starts the clock at that instant, and it runs forward with the machine', () => {
    const clock = serviceClock(loadConfig({ TSM_NOW: '2028-02-29T12:00:00+01:00' }));
    const first = clock.now().getTime();
    expect(Math.abs(first - Date.parse('2028-02-29T11:00:00Z'))).toBeLessThan(5_000);
    // Forward, never backward: a later read is not earlier.
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(first);
  });

  it('without TSM_NOW it is the machine clock', () => {
    const before = Date.now();
    const at = serviceClock(loadConfig({})).now().getTime();
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('production refuses TSM_NOW at boot with one line naming it', () => {
    expect(() => loadConfig({ ...prod, TSM_NOW: '2026-12-14T16:01:00+01:00' })).toThrow(
      /^Invalid configuration: TSM_NOW: not allowed in production/,
    );
    expect(() => loadConfig(prod)).not.toThrow();
  });

  it('TSM_NOW must be an ISO timestamp with an offset', () => {
    expect(() => loadConfig({ TSM_NOW: '2026-12-14 16:01' })).toThrow(/^Invalid configuration: TSM_NOW/);
    expect(() => loadConfig({ TSM_NOW: '2026-12-14T16:01:00' })).toThrow(/^Invalid configuration: TSM_NOW/);
  });

  it('a manual clock moves only when told', () => {
    const c = new ManualClock('2026-12-14T15:01:00Z');
    c.advance(60_000);
    expect(c.now().toISOString()).toBe('2026-12-14T15:02:00.000Z');
    c.set('2027-01-01T00:00:00Z');
    expect(c.now().toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(systemClock().now()).toBeInstanceOf(Date);
  });
});
