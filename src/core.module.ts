import { DynamicModule, Global, Module } from '@nestjs/common';
import path from 'node:path';
import Redis, { RedisOptions } from 'ioredis';
import { AuditService } from './audit/audit.service';
import { CLOCK, Clock } from './common/clock';
import type { AppConfig } from './config/config.schema';
import { loadDistricts } from './config/districts';
import { CONFIG, DISTRICTS, REDIS, REDIS_CONNECTION } from './config/tokens';
import { CpuWork, cpuWorkSettings } from './workflows/cpu-work/cpu-work.service';
import { redisErrorListener } from './infra/redis-error-log';
import { Ledger } from './ledger/ledger';

/**
 * Config, the districts' meeting series, the shared Redis client, ledger and audit, and the worker
 * threads for CPU-heavy work (CpuWork): what every other module builds on.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, redis: RedisOptions, clock: Clock): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        { provide: REDIS_CONNECTION, useValue: redis },
        // A broken districts file stops the boot with one line naming the field (ConfigError).
        { provide: DISTRICTS, useFactory: () => loadDistricts(config) },
        {
          provide: REDIS,
          useFactory: () => {
            // No ioredis auto-pipelining: the connector already hands one loop iteration's commands to the
            // kernel in one write (redis-write-coalescing.ts), and on top of it auto-pipelining only added
            // client CPU (docs/benchmark.md, "CPU round 4").
            const client = new Redis({ ...redis, maxRetriesPerRequest: 3, lazyConnect: false });
            // Outages and failovers surface as failed commands (jobs retry); the listener logs one warning per 30 s instead of a stack per reconnect.
            client.on('error', redisErrorListener('core'));
            return client;
          },
        },
        { provide: Ledger, inject: [REDIS], useFactory: (r: Redis) => new Ledger(r, config.QUEUE_PREFIX) },
        {
          provide: AuditService,
          inject: [REDIS],
          useFactory: (r: Redis) => new AuditService(r, path.join(config.DATA_DIR, 'audit'), config.QUEUE_PREFIX),
        },
        // Threads start on first use (the api role never starts one) and end at shutdown.
        { provide: CpuWork, useFactory: () => new CpuWork(cpuWorkSettings(config)) },
        {
          provide: 'REDIS_CLOSER',
          inject: [REDIS],
          useFactory: (r: Redis) => ({ onApplicationShutdown: () => r.quit().catch(() => r.disconnect()) }),
        },
      ],
      exports: [CLOCK, CONFIG, REDIS_CONNECTION, REDIS, DISTRICTS, Ledger, AuditService, CpuWork],
    };
  }
}
