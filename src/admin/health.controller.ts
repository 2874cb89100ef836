import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { edocReadiness } from '../../adapters/edoc/edoc.health';
import { nexusHomeState } from '../../adapters/nexus/nexus.client';
import { breakerStates } from '../../adapters/shared/breaker-registry';
import { QueueGateway } from '../../queues/queue.gateway';
import { RedisHealth } from './redis-health';

export type ReadinessResult = Omit<HealthCheckResult, 'status'> & { status: HealthCheckResult['status'] | 'degraded' };

/**
 * Probes, without authentication. Live: the process answers. Ready: it can take work, which
 * needs Redis; 503 only when Redis is unreachable. An open circuit breaker is reported as "down"
 * for its system with status "degraded" but keeps the process ready: work for that system waits
 * in its queue, and pulling this process out of rotation would not bring the system back. The same
 * holds for a missing job scheduler (a worker re-creates it, SCHEDULER_CHECK_MS) and for a Nexus home
 * document that handed out a bad link (fetched again after a backoff): "down", status "degraded".
 * eDoc (adapters/edoc/edoc.health.ts): GetSystemInfo down is "degraded"; a code-list file that eDoc's
 * GetItemList contradicts is 503 naming the names, since filings with those names are refused until fixed.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisHealth,
    private readonly queues: QueueGateway,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<ReadinessResult> {
    const breakers = Object.entries(breakerStates()).map(([system, state]) => () => {
      const session = this.indicators.check(system);
      return state === 'open' ? session.down({ state }) : session.up({ state });
    });
    const schedulers = async () => {
      const session = this.indicators.check('schedulers');
      const missing = await withTimeout(this.queues.missingSchedulers(), SCHEDULER_CHECK_TIMEOUT_MS).catch(() => undefined);
      if (!missing) return session.down({ message: 'not checked: Redis did not answer' });
      return missing.length ? session.down({ missing }) : session.up();
    };
    const home = nexusHomeState();
    const nexusHome = home
      ? [() => (home.state === 'ok' ? this.indicators.check('nexus-home').up() : this.indicators.check('nexus-home').down({ ...home }))]
      : [];
    // eDoc: a code-list file that eDoc contradicts fails readiness (503, naming the names); GetSystemInfo
    // down or a check not yet possible is "degraded", like an open breaker.
    const edoc = await withTimeout(edocReadiness(), EDOC_CHECK_TIMEOUT_MS).catch(() => null);
    const edocChecks =
      edoc === undefined
        ? []
        : [
            () => {
              const session = this.indicators.check('edoc-code-lists');
              if (!edoc) return session.down({ state: 'unchecked', message: 'eDoc did not answer in time' });
              return ['ok', 'off'].includes(edoc.codeLists.state) ? session.up({ ...edoc.codeLists }) : session.down({ ...edoc.codeLists });
            },
            () => {
              const session = this.indicators.check('edoc-system');
              if (!edoc) return session.down({ message: 'eDoc did not answer in time' });
              return edoc.system.state === 'up' ? session.up({ ...edoc.system }) : session.down({ ...edoc.system });
            },
          ];
    try {
      return await this.health.check([() => this.redis.check('redis'), schedulers, ...breakers, ...nexusHome, ...edocChecks]);
    } catch (err) {
      const result = err instanceof ServiceUnavailableException ? (err.getResponse() as HealthCheckResult) : undefined;
      const codeListsWrong = (result?.error?.['edoc-code-lists'] as { state?: string } | undefined)?.state === 'mismatch';
      if (result?.details.redis?.status === 'up' && !codeListsWrong) return { ...result, status: 'degraded' };
      throw err;
    }
  }
}

const SCHEDULER_CHECK_TIMEOUT_MS = 1000;
const EDOC_CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
