import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { PermanentError, RetryableError } from '../../../src/common/errors';
import { CpuPool } from '../../../src/infra/cpu-pool';

/**
 * The worker-thread pool for CPU-heavy work (issue 14, C1/M6): work runs off the event loop, a task
 * over its time budget is stopped (its thread terminated, even in a tight loop) and fails with the
 * caller's classified error, and the pool goes on serving. No timing is asserted except budgets
 * that are far apart from the work (a 50 ms budget against a task that never ends).
 */
const TASKS = path.join(__dirname, '..', '..', 'support', 'cpu-test-tasks');
const budget = (ms: number, code = 'TEST_TIMEOUT') => ({
  budgetMs: ms,
  timeoutError: () => new PermanentError(`over ${ms} ms`, code, 'test'),
});

let pool: CpuPool;
afterEach(() => pool?.close());

/** Longest gap between 5 ms ticks of this thread's event loop while `work` runs. */
async function longestStall<T>(work: Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  try {
    const result = await work;
    return { result, stallMs };
  } finally {
    clearInterval(tick);
  }
}

describe('CpuPool', () => {
  it('runs a task on another thread and returns its result, Buffers as bytes', async () => {
    pool = new CpuPool({ tasksModule: TASKS, threads: 1 });
    expect(await pool.run('echo', { a: [1, 'æø'] }, budget(10_000))).toEqual({ a: [1, 'æø'] });
    const doubled = await pool.run<Uint8Array>('double', Buffer.from('ab'), budget(10_000));
    expect(Buffer.from(doubled).toString()).toBe('abab');
    expect(await pool.run('threadId', null, budget(10_000))).not.toBe(threadId);
  });

  it('keeps this event loop turning while a thread is busy', async () => {
    pool = new CpuPool({ tasksModule: TASKS, threads: 1 });
    await pool.run('echo', 1, budget(10_000)); // thread started
    const { result, stallMs } = await longestStall(pool.run<number>('spin', 1500, budget(20_000)));
    expect(result).toBeGreaterThan(0);
    // The same work on this thread would stall it for the whole 1.5 s.
    expect(stallMs).toBeLessThan(1000);
  });

  it("stops a task over its budget with the caller's error, and serves the next task on a fresh thread", async () => {
    pool = new CpuPool({ tasksModule: TASKS, threads: 1 });
    const first = await pool.run<number>('threadId', null, budget(10_000));
    const err = await pool.run('forever', null, budget(50, 'RENDER_TIMEOUT')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'RENDER_TIMEOUT', errorClass: 'permanent' });
    const next = await pool.run<number>('threadId', null, budget(10_000));
    expect(next).not.toBe(first);
    expect(pool.stats()).toEqual({ threads: 1, busy: 0, queued: 0 });
  });

  it('counts the budget from the start of the work, not while a task waits for a thread', async () => {
    pool = new CpuPool({ tasksModule: TASKS, threads: 1 });
    await pool.run('echo', 1, budget(10_000));
    const busy = pool.run<number>('spin', 1500, budget(20_000));
    // Waits ~1.5 s for the thread, then needs almost nothing of its 1 s budget.
    const waiting = pool.run('echo', 'done', budget(1000));
    expect(pool.stats().queued).toBe(1);
    await expect(waiting).resolves.toBe('done');
    await busy;
  });

  it('keeps the class and code of errors thrown by a task', async () => {
    pool = new CpuPool({ tasksModule: TASKS, threads: 2 });
    await expect(pool.run('permanent', null, budget(10_000))).rejects.toEqual(
      expect.objectContaining({ code: 'TEST_REFUSED', system: 'test', errorClass: 'permanent' }),
    );
    await expect(pool.run('permanent', null, budget(10_000))).rejects.toBeInstanceOf(PermanentError);
    await expect(pool.run('retryable', null, budget(10_000))).rejects.toBeInstanceOf(RetryableError);
    await expect(pool.run('retryable', null, budget(10_000))).rejects.toMatchObject({ code: 'TEST_LATER', status: 503 });
    await expect(pool.run('plain', null, budget(10_000))).rejects.toMatchObject({ name: 'SyntaxError', code: 'E_BAD', message: 'bad' });
    await expect(pool.run('no-such-task', null, budget(10_000))).rejects.toThrow('no CPU task named no-such-task');
  });

  it("fails a task that exhausts its thread's memory permanently, and goes on", async () => {
    pool = new CpuPool({ tasksModule: TASKS, threads: 1, maxHeapMb: 32 });
    await expect(pool.run('oom', null, budget(60_000))).rejects.toMatchObject({ code: 'CPU_TASK_OUT_OF_MEMORY', errorClass: 'permanent' });
    expect(await pool.run('echo', 'after', budget(10_000))).toBe('after');
  });

  it('runs up to `threads` tasks at once and queues the rest', async () => {
    pool = new CpuPool({ tasksModule: TASKS, threads: 2 });
    const ids = await Promise.all(Array.from({ length: 6 }, () => pool.run<number>('threadId', null, budget(10_000))));
    expect(new Set(ids).size).toBeLessThanOrEqual(2);
    expect(pool.stats().threads).toBeLessThanOrEqual(2);
  });

  it('fails waiting and running tasks as retryable on close, and refuses new ones', async () => {
    pool = new CpuPool({ tasksModule: TASKS, threads: 1 });
    const running = pool.run('forever', null, budget(60_000));
    const waiting = pool.run('echo', 1, budget(60_000));
    const outcomes = Promise.all([
      expect(running).rejects.toMatchObject({ code: 'CPU_POOL_CLOSED', errorClass: 'retryable' }),
      expect(waiting).rejects.toMatchObject({ code: 'CPU_POOL_CLOSED' }),
    ]);
    await pool.close();
    await outcomes;
    await expect(pool.run('echo', 1, budget(1000))).rejects.toMatchObject({ code: 'CPU_POOL_CLOSED' });
  });

  it('fails the waiting tasks when no thread can start (tasks module missing) instead of starting thread after thread', async () => {
    pool = new CpuPool({ tasksModule: path.join(__dirname, 'no-such-module'), threads: 2 });
    await expect(pool.run('echo', 1, budget(10_000))).rejects.toMatchObject({ code: 'CPU_WORKER_FAILED', errorClass: 'retryable' });
    expect(pool.stats().threads).toBe(0);
  });
});
