import type { QueueName } from '../queue-names';

/** A job type: the queue it runs on and (at type level only) its payload. Payloads carry ids, never text. */
export interface JobDef<P> {
  queue: QueueName;
  readonly __payload?: P;
}

export function job<P>(queue: QueueName): JobDef<P> {
  return { queue };
}
