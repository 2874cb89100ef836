import { runChaos } from './chaos-run';

/**
 * The chaos run at CI size: the same controller, faults and verdict as `npm run chaos`, with 80 notes,
 * 3 worker SIGKILLs and one Redis restart. Seeded, so a failure can be replayed with CHAOS_SEED.
 */
jest.setTimeout(300_000);

describe('chaos (CI size)', () => {
  it('loses nothing and duplicates nothing while workers are killed, Redis restarts and every system misbehaves', async () => {
    const seed = Number(process.env.CHAOS_SEED ?? 20261203);
    const result = await runChaos({
      seed,
      notes: 80,
      districts: 2,
      kills: 3,
      redisRestarts: 1,
      batches: 4,
      killAfterMs: [3000, 7000],
      faults: { nexusErrorRate: 0.1, nexusTimeoutRate: 0.05, edocCommitTimeoutRate: 0.05, vansDropRate: 0.1, vansDuplicateRate: 0.05 },
      timeoutMs: 240_000,
      // A dropped receipt costs one receipt clock before its resend: keep it short at this size.
      workerEnv: { MEDCOM_RECEIPT_TIMEOUT_MS: '15000' },
    });
    const f = result.figures;
    expect({ seed, violations: f.violations }).toEqual({ seed, violations: [] });
    expect(f).toMatchObject({ notesConcluded: 80, lost: 0, duplicates: 0, kills: 3, redisRestarts: 1 });
    expect(f.notesDone + f.notesDeadLettered).toBe(80);
    // Exactly one eDoc document per note and one letter id per note that asked for a letter.
    expect(Object.keys(f.edocDocumentsPerNote).filter((k) => k !== '1' && k !== '0')).toEqual([]);
    expect(Object.keys(f.letterIdsPerNote).filter((k) => k !== '1' && k !== '0')).toEqual([]);
    for (const d of f.deadLetters) expect(d.reason).toMatch(/^\[[A-Z0-9_]+\] \S/);
  });
});
