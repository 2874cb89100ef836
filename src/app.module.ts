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
            // Only method, route and status: paths, query strings and bodies may carry personal data
            // (a CPR or a name typed into a URL), so the path is logged as its route pattern.
            serializers: {
              req: (req: { method: string; url: string; id: unknown; raw?: RouteInfo }) => ({
                id: req.id,
                method: req.method,
                path: loggedPath(req.raw, req.url),
              }),
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

interface RouteInfo {
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * The matched route pattern ("/children/requests/:id"); for a path no route matched, its first
 * segment only ("/children/…"), which is one of ours or not worth keeping.
 */
export function loggedPath(raw: RouteInfo | undefined, url: string): string {
  const pattern = raw?.route?.path;
  if (typeof pattern === 'string') return `${raw?.baseUrl ?? ''}${pattern}`;
  const first = /^\/[A-Za-z0-9_-]{0,40}/.exec(String(url))?.[0] ?? '/';
  return String(url).split('?')[0] === first ? first : `${first}/…`;
}
