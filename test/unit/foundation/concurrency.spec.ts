import { mapWithConcurrency } from '../../../src/common/concurrency';

/** A call that stays pending until the test releases it, so "in flight" can be observed exactly. */
function gate() {
  const waiting: Array<() => void> = [];
  return {
    wait: () => new Promise<void>((r) => waiting.push(r)),
    releaseAll: () => waiting.splice(0).forEach((r) => r()),
    get pending() {
      return waiting.length;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('mapWithConcurrency', () => {
  it('keeps at most `limit` calls in flight and returns results in input order', async () => {
    const g = gate();
    let inFlight = 0;
    let maxInFlight = 0;
    const run = mapWithConcurrency([5, 4, 3, 2, 1, 0], 2, async (n) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await g.wait();
      inFlight--;
      return n * 10;
    });
    for (let round = 0; round < 3; round++) {
      await tick();
      expect(g.pending).toBe(2);
      g.releaseAll();
    }
    expect(await run).toEqual([50, 40, 30, 20, 10, 0]);
    expect(maxInFlight).toBe(2);
  });

  it('starts nothing new after a failure, waits for the calls in flight, then throws the first error', async () => {
    const started: number[] = [];
    let finishedAfterFailure = 0;
    const run = mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      if (n === 0) throw new Error('first');
      await tick();
      await tick();
      finishedAfterFailure++;
      if (n === 1) throw new Error('second');
      return n;
    });
    await expect(run).rejects.toThrow('first');
    expect(started).toEqual([0, 1]);
    expect(finishedAfterFailure).toBe(1);
  });

  it('handles an empty list and refuses a limit below one', async () => {
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
    await expect(mapWithConcurrency([1], 0, async () => 1)).rejects.toThrow(RangeError);
  });
});
