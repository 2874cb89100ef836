import { Inject, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { SafeErrorFilter } from '../common/safe-error.filter';
import { createQueueDashboard } from '../../queues/dashboard';
import { QueueGateway } from '../../queues/queue.gateway';
import { AuditService } from '../audit/audit.service';
import type { AppConfig } from '../config/config.schema';
import { CONFIG } from '../config/tokens';
import { adminAuthMiddleware, AdminAuthGuard } from './admin-auth';
import { AdminCredentials } from './admin-credentials';
import { AuditController } from './audit.controller';
import { boardFailureAudit, boardHooks } from './board-hooks';
import { DeadLettersController } from './dead-letters.controller';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { QueueControlController } from './queue-control.controller';
import { RedisHealth } from './redis-health';

const DASHBOARD_PATH = '/admin/queues';

/** Admin HTTP: dashboard, health, metrics, dead letters, audit (api role only). */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController, MetricsController, DeadLettersController, QueueControlController, AuditController],
  providers: [
    { provide: AdminCredentials, inject: [CONFIG], useFactory: (config: AppConfig) => AdminCredentials.fromConfig(config) },
    AdminAuthGuard,
    RedisHealth,
    // Every api error answer, any route (body parsing and unknown paths fail before any controller).
    { provide: APP_FILTER, useClass: SafeErrorFilter },
  ],
  // Other api modules with admin routes (children status) reuse the same Basic auth guard.
  exports: [AdminCredentials, AdminAuthGuard],
})
export class AdminModule implements NestModule {
  constructor(
    private readonly queues: QueueGateway,
    private readonly credentials: AdminCredentials,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    const dashboard = createQueueDashboard(this.queues, { basePath: DASHBOARD_PATH, hooks: boardHooks(this.audit, this.credentials) });
    consumer
      .apply(adminAuthMiddleware(this.credentials), boardFailureAudit(this.audit, this.credentials), dashboard)
      .forRoutes(DASHBOARD_PATH);
  }
}
