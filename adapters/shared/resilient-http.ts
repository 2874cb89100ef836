import axios, { AxiosError, AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import CircuitBreaker from 'opossum';
import { classifyError, IntegrationError, isRetryableHttpStatus, PermanentError, RetryableError } from '../../src/common/errors';
import { maskCpr } from '../../src/logging/redact';
import { breakerState, outboundCalls, outboundDuration } from '../../src/metrics/metrics';
import { type BreakerStateName, registerBreaker } from './breaker-registry';
import { destroyAgents, keepAliveAgents } from './keep-alive-agents';
import { Semaphore } from './semaphore';

export interface ResilientHttpOptions {
  system: string;
  baseURL?: string;
  timeoutMs: number;
  concurrency: number;
  /** Opossum settings; defaults suit a slow municipal back end. */
  breaker?: { errorThresholdPercentage?: number; resetTimeout?: number; volumeThreshold?: number; rollingCountTimeout?: number };
  /** Turns a response body into a short, personal-data-free reason (e.g. Nexus's `reason`). */
  describeBody?: (body: unknown) => string | undefined;
  /**
   * Optional protocol-specific classification of a non-2xx answer (e.g. a SOAP fault whose
   * faultcode says the request itself is wrong). Returning undefined keeps the status-based default.
   */
  responseError?: (res: AxiosResponse) => IntegrationError | undefined;
  /**
   * Reads (GET/HEAD) that fail retryably are sent again up to `attempts` more times, after a jittered
   * exponential pause from `baseDelayMs`: a long walk of reads (the locked-note watch makes thousands)
   * then survives a flaky system instead of failing whole on one 503. Writes are never repeated here.
   */
  readRetries?: { attempts: number; baseDelayMs: number };
  axios?: AxiosInstance;
}

/** Per-request hooks of the caller. */
export interface RequestHooks {
  /** Called once per request actually sent (read repeats included), e.g. to count it against a budget. */
  onSend?: () => void;
}

export type { BreakerStateName };

/**
 * axios behind a semaphore and an opossum breaker, with outbound metrics and error classification.
 * Every adapter's client is built on this so all systems fail, retry and report the same way.
 * Only 4xx answers count as permanent; they do not trip the breaker.
 */
export class ResilientHttp {
  readonly system: string;
  private readonly http: AxiosInstance;
  private readonly limiter: Semaphore;
  private readonly breaker: CircuitBreaker<[AxiosRequestConfig, RequestHooks | undefined], AxiosResponse>;

  /** The pooled connections of our own axios instance (none with a caller's instance), closed on shutdown. */
  private readonly agents?: ReturnType<typeof keepAliveAgents>;

  constructor(private readonly opts: ResilientHttpOptions) {
    this.system = opts.system;
    if (!opts.axios) this.agents = keepAliveAgents();
    this.http =
      opts.axios ??
      axios.create({
        baseURL: opts.baseURL,
        timeout: opts.timeoutMs,
        validateStatus: () => true,
        // An API answer is never a redirect: following one would leave the configured origin (and
        // follow-redirects costs a notable share of worker CPU). A 3xx becomes a permanent error.
        maxRedirects: 0,
        ...this.agents,
      });
    this.limiter = new Semaphore(opts.concurrency);
    this.breaker = new CircuitBreaker((config: AxiosRequestConfig, hooks: RequestHooks | undefined) => this.send(config, hooks), {
      timeout: false, // axios enforces the per-request timeout
      errorThresholdPercentage: opts.breaker?.errorThresholdPercentage ?? 50,
      resetTimeout: opts.breaker?.resetTimeout ?? 10_000,
      volumeThreshold: opts.breaker?.volumeThreshold ?? 10,
      rollingCountTimeout: opts.breaker?.rollingCountTimeout ?? 10_000,
      errorFilter: (err: unknown) => classifyError(err) === 'permanent',
    });
    const label = { system: opts.system };
    breakerState.set(label, 0);
    this.breaker.on('open', () => breakerState.set(label, 2));
    this.breaker.on('halfOpen', () => breakerState.set(label, 1));
    this.breaker.on('close', () => breakerState.set(label, 0));
    registerBreaker(opts.system, () => this.state);
  }

  get state(): BreakerStateName {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  /** Sends a request; resolves only on 2xx, otherwise throws a classified IntegrationError. */
  async request<T = unknown>(config: AxiosRequestConfig, hooks?: RequestHooks): Promise<AxiosResponse<T>> {
    const method = (config.method ?? 'get').toUpperCase();
    const retries = method === 'GET' || method === 'HEAD' ? (this.opts.readRetries?.attempts ?? 0) : 0;
    for (let retry = 0; ; retry++) {
      try {
        return await this.requestOnce<T>(config, hooks);
      } catch (err) {
        if (retry >= retries || classifyError(err) !== 'retryable') throw err;
        const base = (this.opts.readRetries?.baseDelayMs ?? 0) * 2 ** retry;
        await new Promise((r) => setTimeout(r, Math.round(base * (0.5 + Math.random()))));
      }
    }
  }

  private async requestOnce<T>(config: AxiosRequestConfig, hooks: RequestHooks | undefined): Promise<AxiosResponse<T>> {
    try {
      return (await this.breaker.fire(config, hooks)) as AxiosResponse<T>;
    } catch (err) {
      if ((err as { code?: string }).code === 'EOPENBREAKER') {
        throw new RetryableError(`${this.system} circuit breaker is open`, 'BREAKER_OPEN', this.system);
      }
      throw err;
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
    if (this.agents) destroyAgents(this.agents);
  }

  private async send(config: AxiosRequestConfig, hooks: RequestHooks | undefined): Promise<AxiosResponse> {
    return this.limiter.run(async () => {
      hooks?.onSend?.();
      const stop = outboundDuration.startTimer({ system: this.system });
      let res: AxiosResponse;
      try {
        res = await this.http.request({ timeout: this.opts.timeoutMs, validateStatus: () => true, ...config });
      } catch (err) {
        outboundCalls.inc({ system: this.system, status: 'error' });
        throw this.networkError(err as AxiosError, config);
      } finally {
        stop();
      }
      outboundCalls.inc({ system: this.system, status: String(res.status) });
      if (res.status >= 200 && res.status < 300) return res;
      throw this.opts.responseError?.(res) ?? this.statusError(res, config);
    });
  }

  private where(config: AxiosRequestConfig): string {
    const method = (config.method ?? 'get').toUpperCase();
    // Query strings can hold ids or search keys: keep only the path.
    const path = (config.url ?? '').split('?')[0];
    return maskCpr(`${method} ${path}`);
  }

  private networkError(err: AxiosError, config: AxiosRequestConfig): RetryableError {
    const code = err.code === 'ECONNABORTED' || /timeout/i.test(err.message) ? 'TIMEOUT' : (err.code ?? 'NETWORK');
    return new RetryableError(`${this.system} ${this.where(config)} failed: ${code}`, code, this.system);
  }

  private statusError(res: AxiosResponse, config: AxiosRequestConfig): PermanentError | RetryableError {
    const detail = this.opts.describeBody?.(res.data);
    const reason = detail ? `: ${maskCpr(detail).slice(0, 120)}` : '';
    const msg = `${this.system} ${this.where(config)} answered ${res.status}${reason}`;
    const code = `HTTP_${res.status}`;
    return isRetryableHttpStatus(res.status)
      ? new RetryableError(msg, code, this.system, res.status)
      : new PermanentError(msg, code, this.system, res.status);
  }
}
