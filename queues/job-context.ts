import type { Logger } from 'pino';
import type { JobName } from './job-types';
import type { QueueName } from './queue-names';

/** What a handler may know about the job running it: ids and attempt counts, no BullMQ objects. */
export interface JobContext {
  jobId: string;
  name: JobName;
  queue: QueueName;
  attemptsMade: number;
  attempts: number;
  log: Logger;
  /** Results of a flow parent's children, keyed by child job name + id. */
  childResults(): Promise<Record<string, unknown>>;
}

export type JobHandlerFn = (payload: any, ctx: JobContext) => Promise<unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any
