/**
 * Errors that mean "Redis cannot be reached right now" (ioredis and BullMQ while Redis is down or
 * restarting), as opposed to a bug or bad data: the api answers them with 503 and Retry-After.
 */
const UNAVAILABLE =
  /Connection is closed|Stream isn't writeable|max retries per request|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Command timed out|LOADING|READONLY|MASTERDOWN/i;

export function isRedisUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { name, message, code } = e as { name?: unknown; message?: unknown; code?: unknown };
    if (name === 'MaxRetriesPerRequestError') return true;
    if (typeof code === 'string' && UNAVAILABLE.test(code)) return true;
    if (typeof message === 'string' && UNAVAILABLE.test(message)) return true;
  }
  return false;
}

/** Seconds a client should wait before asking again while Redis is down (the probes' reconnect pace). */
export const REDIS_RETRY_AFTER_S = 5;
