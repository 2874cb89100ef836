import type { QueueName } from './queue-names';

export interface QueuePolicy {
  attempts: number;
  /** Exponential backoff base; jitter is added on top (see backoffDelay). */
  backoffMs: number;
  concurrency: number;
  /** Completed jobs: kept at most this long and this many. */
  keepCompleted: { ageSeconds: number; count: number };
  /** Failed jobs are the dead-letter set: kept 30 days for an operator to read or replay. */
  keepFailedSeconds: number;
}

const DAY = 24 * 3600;
const base = { keepCompleted: { ageSeconds: 7 * DAY, count: 10_000 }, keepFailedSeconds: 30 * DAY };

/** Per-queue policy. External systems get few parallel calls and long backoff; they are slow and shared. */
export const POLICIES: Record<QueueName, QueuePolicy> = {
  agenda: { ...base, attempts: 6, backoffMs: 5_000, concurrency: 2 },
  'after-meeting': { ...base, attempts: 8, backoffMs: 5_000, concurrency: 20 },
  edoc: { ...base, attempts: 8, backoffMs: 5_000, concurrency: 8 },
  medcom: { ...base, attempts: 8, backoffMs: 5_000, concurrency: 8 },
  nexus: { ...base, attempts: 8, backoffMs: 5_000, concurrency: 8 },
  children: { ...base, attempts: 8, backoffMs: 5_000, concurrency: 4 },
  maintenance: { ...base, attempts: 3, backoffMs: 1_000, concurrency: 50 },
};

/** Exponential backoff with ±25 % jitter, so retries after an outage do not arrive in lockstep. */
export function backoffDelay(attemptsMade: number, baseMs: number, random: () => number = Math.random): number {
  const exp = baseMs * 2 ** Math.max(0, attemptsMade - 1);
  const capped = Math.min(exp, 30 * 60_000);
  return Math.round(capped * (0.75 + random() * 0.5));
}
