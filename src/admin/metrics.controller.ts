import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { QueueGateway } from '../../queues/queue.gateway';
import { rootLogger } from '../logging/logger';
import { metricsRegistry } from '../metrics/metrics';
import { AdminAuthGuard } from './admin-auth';

/** Prometheus scrape endpoint (admin credentials: labels reveal the deployment's shape). */
@Controller('metrics')
@UseGuards(AdminAuthGuard)
export class MetricsController {
  constructor(private readonly queues: QueueGateway) {}

  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  @Header('Cache-Control', 'no-store')
  async scrape(): Promise<string> {
    // Job counts are sampled now; during a Redis outage the last sample is served rather than nothing.
    await this.queues
      .jobCounts()
      .catch((err: Error) => rootLogger().warn({ code: (err as { code?: string }).code }, 'metrics: job counts unavailable'));
    return metricsRegistry.metrics();
  }
}
