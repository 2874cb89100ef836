import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { ConnectionOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { AppConfig } from '../src/config/config.schema';
import { producerRedisOptions } from '../src/infra/redis-options';
import { JobRegistry } from './job-registry';
import { MaintenanceProcessor } from './processors/maintenance.processor';
import { FLOW_PRODUCER, QueueGateway } from './queue.gateway';
import { QUEUE_NAMES } from './queue-names';
import { WorkerHost } from './worker.host';

/**
 * Queues (producers) in every role; the job registry and workers only where jobs are processed.
 * Processors of the feature modules register their handlers with @JobHandler.
 */
@Global()
@Module({})
export class QueueModule {
  static forRoot(config: AppConfig, redis: RedisOptions, runWorkers: boolean): DynamicModule {
    const workerProviders = runWorkers ? [JobRegistry, WorkerHost, MaintenanceProcessor] : [];
    return {
      module: QueueModule,
      imports: [
        DiscoveryModule,
        BullModule.forRoot({ connection: producerRedisOptions(redis) as ConnectionOptions, prefix: config.QUEUE_PREFIX }),
        BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
        BullModule.registerFlowProducer({ name: FLOW_PRODUCER }),
      ],
      providers: [QueueGateway, ...workerProviders],
      exports: [QueueGateway, BullModule, ...workerProviders],
    };
  }
}
