import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { breakerStates } from '../../adapters/shared/breaker-registry';
import { RedisHealth } from './redis-health';

export type ReadinessResult = Omit<HealthCheckResult, 'status'> & { status: HealthCheckResult['status'] | 'degraded' };

/**
 * Probes, without authentication. Live: the process answers. Ready: it can take work, which
 * needs Redis; 503 only when Redis is unreachable. An open circuit breaker is reported as "down"
 * for its system with status "degraded" but keeps the process ready: work for that system waits
 * in its queue, and pulling this process out of rotation would not bring the system back.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisHealth,
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
    try {
      return await this.health.check([() => this.redis.check('redis'), ...breakers]);
    } catch (err) {
      const result = err instanceof ServiceUnavailableException ? (err.getResponse() as HealthCheckResult) : undefined;
      if (result?.details.redis?.status === 'up') return { ...result, status: 'degraded' };
      throw err;
    }
  }
}
