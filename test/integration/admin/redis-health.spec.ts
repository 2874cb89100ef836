import { HealthIndicatorService } from '@nestjs/terminus';
import net from 'node:net';
import { RedisHealth } from '../../../src/admin/redis-health';
import { redisOptionsFromUrl } from '../../../src/infra/redis-options';

/** The readiness probe's Redis check, against the suite's real Redis and a port where none listens. */
describe('RedisHealth', () => {
  const probes: RedisHealth[] = [];
  afterEach(() => {
    for (const p of probes.splice(0)) p.onApplicationShutdown();
  });
  const probe = (url: string) => {
    const p = new RedisHealth(redisOptionsFromUrl(url), new HealthIndicatorService());
    probes.push(p);
    return p;
  };

  it('a probe while the client is still opening its connection (just after start) waits for it: up, not down', async () => {
    const health = probe(process.env.TEST_REDIS_URL!); // asked in the same tick as the client was made
    expect(await health.check('redis')).toEqual({ redis: { status: 'up' } });
  });

  it('Redis not there: down with the reason', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((r) => server.close(r));
    const health = probe(`redis://127.0.0.1:${port}`);
    const result = await health.check('redis');
    expect(result.redis.status).toBe('down');
    expect(String((result.redis as { message?: string }).message)).toMatch(/\S/);
  });
});
