import { job } from './job-def';

export const medcomJobs = {
} as const;

// Keep the reference so the import stays while the table is empty.
void job;
