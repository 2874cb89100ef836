import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { authFailureLimit, CREDENTIAL_ROUTES, trustProxySetting } from './admin/auth-failure-limit';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import type { RedisOptions } from 'ioredis';
import { WorkerHost } from '../queues/worker.host';
import { AppModule, Role } from './app.module';
import type { AppConfig } from './config/config.schema';
import { Clock, serviceClock } from './common/clock';
import { ConfigError, loadConfig, secretValues } from './config/load-config';
import { medcomBootProblem } from '../adapters/medcom/medcom.boot-guard';
import { resolveRedis } from './infra/redis-endpoint';
import { startSandboxes } from './infra/sandboxes';
import { createLogger, rootLogger, setRootLogger } from './logging/logger';

export interface RunningService {
  app: INestApplicationContext;
  config: AppConfig;
  /** The ioredis options the service's clients start from (one address or the sentinels). */
  redisOptions: RedisOptions;
  /** Redis's URL when it has one address (REDIS_URL or the embedded server); unset with REDIS_SENTINELS. */
  redisUrl?: string;
  clock: Clock;
  /** Base URL of the api role's HTTP server, if it listens. */
  baseUrl?: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  role: Role;
  env?: NodeJS.ProcessEnv;
  /** Ready-made config (tests); skips reading env. */
  config?: AppConfig;
  /** Start the built-in simulators for unconfigured systems (default true). */
  sandboxes?: boolean;
  listen?: boolean;
  /** The service's clock; by default the machine's, started at TSM_NOW when that is set. */
  clock?: Clock;
  /** Where log lines go (default stdout). CLI commands that print results pass stderr. */
  logDestination?: DestinationStream;
}

/** Boots one process: config → Redis → sandboxes → Nest app for the role. */
export async function startService(opts: StartOptions): Promise<RunningService> {
  let config = opts.config ?? loadConfig(opts.env ?? process.env);
  // Letters to a real VANS with the sandbox's sender or author: refused before anything starts.
  const medcomProblem = medcomBootProblem(config);
  if (medcomProblem) throw new ConfigError(medcomProblem);
  setRootLogger(createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config), destination: opts.logDestination }));
  const clock = opts.clock ?? serviceClock(config);
  const redis = await resolveRedis(config, { reuseRunning: opts.role !== 'all' });
  const sandboxes = opts.sandboxes === false ? undefined : await startSandboxes(config, clock);
  if (sandboxes) config = sandboxes.config;

  const module = AppModule.forRole(opts.role, config, redis.options, clock);
  const api = opts.role !== 'worker' && opts.listen !== false;
  const app: INestApplicationContext = api
    ? await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true, bodyParser: false, abortOnError: false })
    : await NestFactory.createApplicationContext(module, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(PinoNestLogger));
  let baseUrl: string | undefined;
  if (api) {
    const http = app as NestExpressApplication;
    http.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
    http.use(helmet());
    const limit = authFailureLimit(config);
    if (limit) http.use(CREDENTIAL_ROUTES, limit);
    http.useBodyParser('json', { limit: '5mb' });
    http.useBodyParser('urlencoded', { limit: '100kb', extended: false });
    await http.listen(config.PORT, config.HOST);
    const addr = http.getHttpServer().address() as AddressInfo;
    baseUrl = `http://${config.HOST}:${addr.port}`;
  } else {
    await app.init();
  }
  rootLogger().info({ role: opts.role, baseUrl, redis: redis.label, sandbox: config.sandbox }, 'tsm-bridge started');

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Only roles that run workers have a WorkerHost.
    if (opts.role !== 'api') await app.get(WorkerHost, { strict: false }).close(config.SHUTDOWN_GRACE_MS);
    await app.close();
    await sandboxes?.stop();
    await redis.embedded?.stop();
  };
  return { app, config, clock, redisOptions: redis.options, redisUrl: redis.url, baseUrl, stop };
}

/** Runs until SIGTERM/SIGINT, then drains within SHUTDOWN_GRACE_MS and exits. */
export async function runUntilSignal(opts: StartOptions): Promise<RunningService> {
  const svc = await startService(opts);
  const onSignal = (sig: string) => {
    rootLogger().info({ signal: sig }, 'shutting down');
    const hard = setTimeout(() => process.exit(1), svc.config.SHUTDOWN_GRACE_MS + 10_000);
    hard.unref();
    svc.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return svc;
}

if (require.main === module) {
  const role = (process.env.ROLE ?? 'all') as Role;
  runUntilSignal({ role }).catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
}
