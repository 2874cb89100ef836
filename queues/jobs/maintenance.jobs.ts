import { job } from './job-def';

export const maintenanceJobs = {
  /** A no-op used by health checks and tests of the queue machinery itself. */
  'maintenance.noop': job<{ n?: number; failTimes?: number; permanent?: boolean; sleepMs?: number }>('maintenance'),
  /** Rewrites the AOF when personal data was deleted since the last rewrite (PERSONAL_DATA_SCRUB_MS). */
  'maintenance.scrub-aof': job<Record<string, never>>('maintenance'),
} as const;
