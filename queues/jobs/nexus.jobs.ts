import { job } from './job-def';

export const nexusJobs = {} as const;

// Keep the reference so the import stays while the table is empty.
void job;
