import fc from 'fast-check';
import { Semaphore } from '../../../adapters/shared/semaphore';

/**
 * The outbound limiter (Nexus, eDoc, VANS) under random arrivals and completions. Each step runs
 * after a random number of microtask hops, so arrivals land anywhere between a release and the
 * wake-up of the next waiter – the window where the old limiter let a second caller in.
 */
type Step = { kind: 'arrive'; hops: number } | { kind: 'finish'; pick: number; hops: number } | { kind: 'drain' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('arrive' as const), hops: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant('finish' as const), pick: fc.nat(), hops: fc.integer({ min: 0, max: 6 }) }),
  fc.constant({ kind: 'drain' as const }),
);

const hops = async (n: number) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};
const drain = () => new Promise((r) => setImmediate(r));

async function runScenario(limit: number, steps: Step[]) {
  const sem = new Semaphore(limit);
  const running: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let started = 0;
  let completed = 0;
  const calls: Promise<number>[] = [];
  const arrive = () => {
    const n = started++;
    calls.push(
      sem.run(async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((release) => running.push(release));
        inFlight--;
        completed++;
        return n;
      }),
    );
  };
  const pending: Promise<void>[] = [];
  for (const s of steps) {
    if (s.kind === 'drain') {
      await drain();
    } else if (s.kind === 'arrive') {
      pending.push(hops(s.hops).then(arrive));
    } else {
      pending.push(
        hops(s.hops).then(() => {
          if (running.length) running.splice(s.pick % running.length, 1)[0]();
        }),
      );
    }
  }
  await Promise.all(pending);
  // Let everything still queued through, releasing whatever holds a slot.
  while (completed < started) {
    await drain();
    running.splice(0).forEach((release) => release());
  }
  const results = await Promise.all(calls);
  return { maxInFlight, results, started };
}

describe('Semaphore (outbound limiter)', () => {
  it('never has more than its limit of calls in flight, whatever the order of arrivals and releases', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(step, { minLength: 1, maxLength: 40 }), async (limit, steps) => {
        const { maxInFlight, results, started } = await runScenario(limit, steps);
        expect(maxInFlight).toBeLessThanOrEqual(limit);
        // Nobody is lost in the queue: every caller ran and got its own answer.
        expect(results).toEqual([...Array(started).keys()]);
      }),
      { numRuns: 300, seed: 20261202 },
    );
  });

  it('limit 1: a caller arriving right after a release does not run beside the woken waiter', async () => {
    // The case the adversarial review found (limit 1 → two calls at once); fast-check shrank it to this.
    const { maxInFlight } = await runScenario(1, [
      { kind: 'arrive', hops: 5 },
      { kind: 'arrive', hops: 0 },
      { kind: 'finish', pick: 0, hops: 2 },
      { kind: 'arrive', hops: 0 },
    ]);
    expect(maxInFlight).toBe(1);
  });

  it('uses the whole limit when callers wait, and passes a failure to its caller without losing the slot', async () => {
    const sem = new Semaphore(2);
    let inFlight = 0;
    let max = 0;
    const gates: Array<() => void> = [];
    const calls = [0, 1, 2, 3].map((n) =>
      sem.run(async () => {
        inFlight++;
        max = Math.max(max, inFlight);
        await new Promise<void>((r) => gates.push(r));
        inFlight--;
        if (n === 1) throw new Error('boom');
        return n;
      }),
    );
    const settledAll = Promise.allSettled(calls);
    while (gates.length < 2) await drain();
    expect(inFlight).toBe(2);
    while (inFlight > 0 || gates.length) {
      gates.splice(0).forEach((r) => r());
      await drain();
    }
    const settled = await settledAll;
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(max).toBe(2);
  });

  it('refuses a limit below one', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
