import { errorCode } from '../common/errors';
import { rootLogger } from '../logging/logger';

const QUIET_MS = 30_000;

/**
 * An 'error' listener for a Redis client (ioredis, a BullMQ queue or flow producer). Without one,
 * ioredis prints "[ioredis] Unhandled error event" with a stack and BullMQ prints the stack, for every
 * reconnect attempt of an outage. With it: one warning per client per 30 s, with the error code only
 * (reconnecting is the clients' own job; readiness reports the outage).
 */
export function redisErrorListener(client: string, now: () => number = Date.now): (err: unknown) => void {
  let last = 0;
  return (err) => {
    const at = now();
    if (at - last < QUIET_MS) return;
    last = at;
    rootLogger().warn({ client, code: errorCode(err) }, 'redis connection error; reconnecting');
  };
}
