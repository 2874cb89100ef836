import { DynamicModule, Module } from '@nestjs/common';
import type { RedisOptions } from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import { QueueModule } from '../queues/queue.module';
import type { Clock } from './common/clock';
import type { AppConfig } from './config/config.schema';
import { CoreModule } from './core.module';
import { API_MODULES, FEATURE_MODULES } from './features';
import { rootLogger } from './logging/logger';

export type Role = 'api' | 'worker' | 'all';

@Module({})
export class AppModule {
  static forRole(role: Role, config: AppConfig, redis: RedisOptions, clock: Clock): DynamicModule {
    const api = role === 'api' || role === 'all';
    const worker = role === 'worker' || role === 'all';
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger: rootLogger(),
            autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
            // Only method, path and status: query strings and bodies may carry personal data.
            serializers: {
              req: (req: { method: string; url: string; id: unknown }) => ({ id: req.id, method: req.method, path: String(req.url).split('?')[0] }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
        CoreModule.forRoot(config, redis, clock),
        QueueModule.forRoot(config, redis, worker),
        ...FEATURE_MODULES,
        ...(api ? API_MODULES : []),
      ],
    };
  }
}
