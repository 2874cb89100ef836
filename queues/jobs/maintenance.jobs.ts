import { job } from './job-def';

export const maintenanceJobs = {
  /** A no-op used by health checks and tests of the queue machinery itself. */
  'maintenance.noop': job<{ n?: number; failTimes?: number; permanent?: boolean; sleepMs?: number }>('maintenance'),
} as const;
