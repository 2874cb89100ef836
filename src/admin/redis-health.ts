import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis, { RedisOptions } from 'ioredis';
import { once } from 'node:events';
import { REDIS_CONNECTION } from '../config/tokens';

const PING_TIMEOUT_MS = 1000;

/**
 * Redis reachability for readiness. A client of its own that never queues commands while
 * disconnected, so a probe during an outage answers "down" at once instead of waiting on retries.
 */
@Injectable()
export class RedisHealth implements OnApplicationShutdown {
  private readonly client: Redis;

  constructor(
    @Inject(REDIS_CONNECTION) redis: RedisOptions,
    private readonly indicators: HealthIndicatorService,
  ) {
    this.client = new Redis({
      ...redis,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: PING_TIMEOUT_MS,
      commandTimeout: PING_TIMEOUT_MS,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    // Connection errors are what this probe reports; without a listener ioredis prints each one.
    this.client.on('error', () => undefined);
  }

  async check(key: string) {
    const session = this.indicators.check(key);
    try {
      await this.connected();
      const pong = await this.client.ping();
      return pong === 'PONG' ? session.up() : session.down({ message: 'unexpected PING answer' });
    } catch (err) {
      return session.down({ message: (err as Error).message.slice(0, 120) });
    }
  }

  /**
   * A probe in the moment the client is still opening its connection (right after start) waits for
   * it, up to the ping's own timeout, instead of reporting Redis down. A client that lost Redis is
   * 'reconnecting', not 'connecting': that probe pings at once and answers down, as before.
   */
  private async connected(): Promise<void> {
    if (this.client.status !== 'connecting' && this.client.status !== 'connect') return;
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), PING_TIMEOUT_MS);
    try {
      await Promise.race([once(this.client, 'ready', { signal: stop.signal }), once(this.client, 'close', { signal: stop.signal })]);
    } catch {
      // Timed out, or the connection failed: the ping reports it.
    } finally {
      clearTimeout(timer);
      stop.abort(); // removes the listener still waiting
    }
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}
