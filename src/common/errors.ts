/**
 * Failure vocabulary shared by adapters, workflows and queues. Messages must never contain
 * personal data: they end up in logs, dead-letter views and metrics labels.
 */
export type ErrorClass = 'retryable' | 'permanent';

export class IntegrationError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly errorClass: ErrorClass,
    readonly system?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Will never succeed by retrying: bad input, 4xx, validation, business rule, negative receipt. */
export class PermanentError extends IntegrationError {
  constructor(message: string, code = 'PERMANENT', system?: string, status?: number) {
    super(message, code, 'permanent', system, status);
  }
}

/** May succeed later: network, timeout, 5xx, 429, open breaker, optimistic-lock conflict. */
export class RetryableError extends IntegrationError {
  constructor(message: string, code = 'RETRYABLE', system?: string, status?: number) {
    super(message, code, 'retryable', system, status);
  }
}

const RETRYABLE_NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ETIMEOUT',
  'EOPENBREAKER',
]);

export function isRetryableHttpStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** Decides whether a failure is worth another attempt. Unknown errors are retried (bounded by attempts). */
export function classifyError(err: unknown): ErrorClass {
  if (err instanceof IntegrationError) return err.errorClass;
  const e = err as { code?: string; status?: number; response?: { status?: number }; name?: string };
  const status = e?.response?.status ?? e?.status;
  if (typeof status === 'number') return isRetryableHttpStatus(status) ? 'retryable' : 'permanent';
  if (e?.code && RETRYABLE_NET_CODES.has(e.code)) return 'retryable';
  if (e?.name === 'ZodError' || e?.name === 'SyntaxError') return 'permanent';
  return 'retryable';
}

/** A short, personal-data-free label for metrics and dead-letter listings. */
export function errorCode(err: unknown): string {
  if (err instanceof IntegrationError) return err.code;
  const e = err as { code?: string; name?: string };
  return (e?.code ?? e?.name ?? 'UNKNOWN').toString().slice(0, 64);
}
