import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
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
    try {
      return await this.health.check([() => this.redis.check('redis'), schedulers, ...breakers, ...nexusHome]);
    } catch (err) {
      const result = err instanceof ServiceUnavailableException ? (err.getResponse() as HealthCheckResult) : undefined;
      if (result?.details.redis?.status === 'up') return { ...result, status: 'degraded' };
      throw err;
    }
  }
}

const SCHEDULER_CHECK_TIMEOUT_MS = 1000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
