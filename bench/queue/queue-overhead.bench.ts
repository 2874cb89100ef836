import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { QueueGateway } from '../../queues/queue.gateway';
import { POLICIES } from '../../queues/policies';
import { mapWithConcurrency } from '../../src/common/concurrency';
import { loadConfig } from '../../src/config/load-config';
import { startService } from '../../src/main';
import { progress } from '../support/progress';
import { round } from '../support/stats';
import { RawBullmq } from './raw-bullmq';

export interface QueueRate {
  /** Jobs added per second, 50 adds in flight. */
  enqueuePerSecond: number;
  /** Jobs one worker (concurrency 50) completes per second, draining a pre-filled queue. */
  processPerSecond: number;
}

export interface QueueOverheadResult {
  jobs: number;
  concurrency: number;
  rawBullmq: QueueRate;
  ours: QueueRate;
  /** ours ÷ raw, per measurement. */
  enqueueRatio: number;
  processRatio: number;
}

const IN_FLIGHT = 50;
const WARM_UP = 500;
const ROUNDS = 4;

/**
 * Raw BullMQ no-op jobs against our gateway + worker host with 'maintenance.noop', on the same Redis
 * and in the same process (our production worker role is booted here, so both sides share its
 * environment). Both queues are paused while jobs are added (the enqueue rate); then each worker
 * drains its pre-filled queue (the processing rate). A short warm-up on each side first, so neither
 * pays the JIT alone; the best of four rounds (alternating which side goes first) counts.
 */
export async function runQueueOverhead(redisUrl: string, workDir: string, jobs: number): Promise<QueueOverheadResult> {
  const config = loadConfig({
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `bench-ours-${randomBytes(3).toString('hex')}`,
    DATA_DIR: path.join(workDir, 'queue-ours'),
    LOG_LEVEL: 'warn',
    WATCH_INTERVAL_MS: '0',
    // A meeting afternoon: the worker's agenda planner has no cut-off to catch up, so only the bench's jobs run (on the
    // machine's calendar a passed cut-off enqueued a collect against an unconfigured Nexus and the stage stalled).
    TSM_NOW: '2026-12-03T13:00:00+01:00',
    // No AOF-scrub scheduler on the maintenance queue: its next run waits there as a delayed job, which
    // `drain` counts as unfinished, so once the first scrub had run the stage waited forever (the stall).
    PERSONAL_DATA_SCRUB_MS: '0',
  });
  const oursQueue = new RawBullmq(redisUrl, config.QUEUE_PREFIX); // only to pause, resume and count
  const raw = new RawBullmq(redisUrl, `bench-raw-${randomBytes(3).toString('hex')}`);
  await oursQueue.queue.pause(); // held back until both sides are enqueued
  await raw.queue.pause();
  const svc = await startService({ role: 'worker', sandboxes: false, listen: false, config });
  try {
    const gateway = svc.app.get(QueueGateway);
    const addRaw = (n: number) => mapWithConcurrency(range(n), IN_FLIGHT, (i) => raw.add(i));
    const addOurs = (n: number) => mapWithConcurrency(range(n), IN_FLIGHT, (i) => gateway.enqueue('maintenance.noop', { n: i }));
    await addRaw(WARM_UP);
    await addOurs(WARM_UP);
    const rawWorker = raw.worker(config.QUEUE_LOCK_MS);
    await rawWorker.waitUntilReady();
    // Best of ROUNDS rounds, alternating which side goes first: the machine's other work (and Redis's
    // own housekeeping, e.g. AOF rewrites) shows up as noise on whichever side runs at that moment.
    const sides = [
      { add: addRaw, queue: raw, enqueue: Infinity, process: Infinity },
      { add: addOurs, queue: oursQueue, enqueue: Infinity, process: Infinity },
    ];
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) side.enqueue = Math.min(side.enqueue, await timed(() => side.add(jobs)));
      // The first drain also finishes the warm-up jobs: scale its time to `jobs`.
      const share = jobs / (r === 0 ? jobs + WARM_UP : jobs);
      for (const side of order) side.process = Math.min(side.process, (await timed(() => drain(side.queue))) * share);
    }
    const [rawBest, oursBest] = sides;
    await rawWorker.close();
    progress(
      `queue overhead: raw BullMQ ${round(jobs / rawBest.process)} jobs/s, gateway + worker host ${round(jobs / oursBest.process)} jobs/s`,
    );
    const rawRate = { enqueuePerSecond: round(jobs / rawBest.enqueue), processPerSecond: round(jobs / rawBest.process) };
    const ours = { enqueuePerSecond: round(jobs / oursBest.enqueue), processPerSecond: round(jobs / oursBest.process) };
    return {
      jobs,
      concurrency: POLICIES.maintenance.concurrency,
      rawBullmq: rawRate,
      ours,
      enqueueRatio: round(ours.enqueuePerSecond / rawRate.enqueuePerSecond, 2),
      processRatio: round(ours.processPerSecond / rawRate.processPerSecond, 2),
    };
  } finally {
    await svc.stop();
    await raw.close();
    await oursQueue.close();
  }
}

/** Resumes the paused queue, waits until its worker has finished every job, pauses it again. */
async function drain(q: RawBullmq): Promise<void> {
  await q.queue.resume();
  while ((await q.unfinished()) > 0) await new Promise((r) => setTimeout(r, 20));
  await q.queue.pause();
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
