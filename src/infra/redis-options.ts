import { SentinelConnector } from 'ioredis';
import type { RedisOptions, SentinelConnectionOptions } from 'ioredis';
import type { AppConfig } from '../config/config.schema';
import { CoalescingConnector, coalesceWrites } from './redis-write-coalescing';

/**
 * BullMQ takes ioredis options, not URLs: turn REDIS_URL into host/port/credentials. Every connection
 * made from them (ours and BullMQ's) coalesces its writes per event-loop turn (CoalescingConnector).
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  return {
    Connector: CoalescingConnector,
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

type RedisSettings = Pick<AppConfig, 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_SENTINEL_PASSWORD' | 'REDIS_PASSWORD'>;

type ConnectArgs = Parameters<SentinelConnector['connect']>;
type NetStream = Awaited<ReturnType<SentinelConnector['connect']>>;
interface DetectorHolder {
  failoverDetector: { cleanup(): void } | null;
}

/**
 * ioredis' sentinel connector with its failover detector bound to the connection it watches.
 * ioredis (5.x) starts a detector (one subscriber per sentinel, reconnecting forever) on each
 * connect and drops it only on disconnect(), so two things went wrong when the primary died:
 * - the detector of the dead connection stayed subscribed; its +switch-master arrived while the
 *   client was asking the sentinels for the new primary, cut that attempt short, and the client
 *   ended for good ("Connection is closed.", no more reconnects: a worker or producer stuck after
 *   the failover);
 * - quit() never drops the detector, so every closed client left three sentinel subscribers
 *   reconnecting forever (open handles, a process that does not exit once the sentinels are gone).
 * Here the detector goes with the connection's close, and a new connect starts without one. Its
 * writes are coalesced per event-loop turn, as every standalone connection's (redis-write-coalescing.ts).
 */
export class StreamBoundSentinelConnector extends SentinelConnector {
  /** ioredis hands a Connector the client's options (its ConnectorConstructor types them unknown). */
  constructor(options: unknown) {
    super(options as SentinelConnectionOptions);
  }

  override async connect(...args: ConnectArgs): Promise<NetStream> {
    this.dropFailoverDetector();
    const stream = await super.connect(...args);
    stream.once('close', () => this.dropFailoverDetector());
    return coalesceWrites(stream);
  }

  /** ioredis cleans the detector up here but keeps it; forget it, so the close does not clean it twice. */
  override disconnect(): void {
    super.disconnect();
    (this as unknown as DetectorHolder).failoverDetector = null;
  }

  private dropFailoverDetector(): void {
    const self = this as unknown as DetectorHolder;
    self.failoverDetector?.cleanup();
    self.failoverDetector = null;
  }
}

/**
 * ioredis asks the sentinels for the current primary on every (re)connect and checks the node's role.
 * The failover detector subscribes to the sentinels' +switch-master and reconnects at once, also
 * when the old primary's connection hangs instead of closing (a network partition); see
 * StreamBoundSentinelConnector for why it is ours.
 */
export function sentinelOptions(c: RedisSettings): RedisOptions {
  if (!c.REDIS_SENTINELS || !c.REDIS_SENTINEL_NAME) throw new Error('sentinelOptions needs REDIS_SENTINELS and REDIS_SENTINEL_NAME');
  return {
    sentinels: c.REDIS_SENTINELS.map(({ host, port }) => ({ host, port })),
    name: c.REDIS_SENTINEL_NAME,
    sentinelPassword: c.REDIS_SENTINEL_PASSWORD,
    password: c.REDIS_PASSWORD,
    failoverDetector: true,
    Connector: StreamBoundSentinelConnector,
    // A demoted primary that comes back answers writes with READONLY; nothing was executed, so
    // reconnecting (asking the sentinels again) and resending the command is safe.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
  };
}

/** REDIS_URL's own password wins; REDIS_PASSWORD fills in for a URL without one. */
export function externalRedisOptions(url: string, c: RedisSettings): RedisOptions {
  const o = redisOptionsFromUrl(url);
  return { ...o, password: o.password ?? c.REDIS_PASSWORD };
}

/** Producers (API requests, schedulers) fail fast when Redis is down instead of queueing in memory. */
export const producerRedisOptions = (base: RedisOptions): RedisOptions => ({
  ...base,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
});

/** Workers block on Redis and must reconnect forever after a restart or failover (BullMQ requires null here). */
export const workerRedisOptions = (base: RedisOptions): RedisOptions => ({
  ...base,
  maxRetriesPerRequest: null,
  enableOfflineQueue: true,
  retryStrategy: (times) => Math.min(times * 200, 5000),
});

/** Where the service's Redis is, for logs and errors: never a password. */
export function describeRedis(base: RedisOptions): string {
  if (base.sentinels?.length) return `sentinel ${base.name} via ${base.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  return `${base.tls ? 'rediss' : 'redis'}://${base.host}:${base.port}/${base.db ?? 0}`;
}
