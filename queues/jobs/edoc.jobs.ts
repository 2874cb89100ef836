import { job } from './job-def';

export const edocJobs = {} as const;

// Keep the reference so the import stays while the table is empty.
void job;
