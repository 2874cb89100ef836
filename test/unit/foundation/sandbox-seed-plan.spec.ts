import { DEFAULT_SEED_MEETING, loadSeed, shiftSeed } from '../../../adapters/shared/sandbox-seed';
import { ManualClock } from '../../../src/common/clock';
import { loadConfig } from '../../../src/config/load-config';
import { plannedSandboxSeed } from '../../../src/infra/sandbox-seed-plan';

describe('the default seed on the service clock', () => {
  const note5001 = (seed: ReturnType<typeof loadSeed>) => seed.citizens.flatMap((c) => c.notes).find((n) => n.id === 5001)!;

  it('is used as written when its meeting is the next one', () => {
    const { seed, shiftDays } = plannedSandboxSeed(loadConfig({}), new ManualClock('2026-11-26T08:00:00Z'));
    expect(shiftDays).toBe(0);
    expect(note5001(seed)).toMatchObject({ observationTimestamp: '2026-12-03T00:00:00+01:00', createDate: '2026-11-23T09:15:00+01:00' });
  });

  it('moves to the next held meeting in whole cadences, keeping local times across DST', () => {
    // 2027-03-26: skærtorsdag (03-25) is past, the next held meeting is 2027-04-08 in summer time.
    const { seed, shiftDays } = plannedSandboxSeed(loadConfig({}), new ManualClock('2027-03-26T11:00:00Z'));
    expect(shiftDays).toBe(126);
    expect(note5001(seed)).toMatchObject({ observationTimestamp: '2027-04-08T00:00:00+02:00', createDate: '2027-03-29T09:15:00+02:00' });
  });

  it('moves back too (a clock before the seed was written)', () => {
    const { shiftDays } = plannedSandboxSeed(loadConfig({}), new ManualClock('2026-06-01T08:00:00Z'));
    expect(Math.abs(shiftDays % 14)).toBe(0);
    expect(shiftDays).toBeLessThan(0);
  });

  it('a SANDBOX_SEED file is used as written', () => {
    const { shiftDays } = plannedSandboxSeed(
      loadConfig({ SANDBOX_SEED: require.resolve('../../../adapters/shared/seeds/default-seed.json') }),
      new ManualClock('2028-02-29T11:00:00Z'),
    );
    expect(shiftDays).toBe(0);
  });

  it('shiftSeed keeps every note on its series date and keeps the original untouched', () => {
    const seed = loadSeed();
    const moved = shiftSeed(seed, 28);
    const dates = (s: typeof seed) => s.citizens.flatMap((c) => c.notes.map((n) => n.observationTimestamp.slice(0, 10)));
    expect(dates(seed)).toContain(DEFAULT_SEED_MEETING);
    expect(dates(moved)).toContain('2026-12-31');
    expect(dates(moved)).not.toContain(DEFAULT_SEED_MEETING);
    expect(note5001(seed).observationTimestamp).toBe('2026-12-03T00:00:00+01:00');
  });
});
