import { measureWatchBudget } from '../../../bench/watch/watch-budget';

/**
 * Issue 20's call budget, counted by the Nexus simulator itself (/_sandbox/stats) on a manual clock:
 * the shipped seed (30 citizens, one district, meeting 2026-12-03 with its agenda).
 */
describe("the after-meeting watch's Nexus call budget (simulator stats, manual clock)", () => {
  it('a quiet district costs ≤ 12 calls an hour; a pass after the meeting began costs ≤ N + 2', async () => {
    const f = await measureWatchBudget({}, process.env.TEST_REDIS_URL!);
    process.stdout.write(`${JSON.stringify(f)}\n`);
    expect(f.citizens).toBe(30);
    expect(f.agendaNotes).toBeGreaterThan(5);
    expect(f.quietHourCalls).toBeLessThanOrEqual(12);
    expect(f.quietHourCalls).toBe(0);
    // A fresh client (a restarted worker): one token, then one GET per note by its stored self link.
    expect(f.firstPassCalls).toBeLessThanOrEqual(f.agendaNotes + 2);
    // Only the notes not locked on the first pass are read again.
    expect(f.laterPassCalls).toBeLessThanOrEqual(f.agendaNotes - Math.ceil(f.agendaNotes / 2) + 2);
    // The metric attributes the calls by purpose: the collect, the passes, the sweep.
    expect(f.byPurpose.agenda).toBeGreaterThan(0);
    expect(f.byPurpose.watch).toBe(f.firstPassCalls + f.laterPassCalls);
    expect(f.byPurpose.sweep).toBe(f.sweepCalls);
  });
});
