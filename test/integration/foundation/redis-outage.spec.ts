import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { QueueGateway } from '../../../queues/queue.gateway';
import { EmbeddedRedis, startEmbeddedRedis } from '../../../src/infra/embedded-redis';
import type { RunningService } from '../../../src/main';
import { validRequest } from '../children/children-fakes';
import { eventually, startTestService } from '../../support/test-service';

/** A private Redis for this file, so stopping and restarting it disturbs no other test. */
describe('Redis outage and restart', () => {
  let redis: EmbeddedRedis;
  let svc: RunningService;
  let gw: QueueGateway;

  beforeAll(async () => {
    redis = await startEmbeddedRedis({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'tsm-outage-redis-')) });
    svc = await startTestService('all', { REDIS_URL: redis.url }, { sandboxes: false });
    gw = svc.app.get(QueueGateway);
  });
  afterAll(async () => {
    await svc?.stop();
    await redis?.stop();
  });

  /** Producers fail fast while Redis is away, so enqueue until the producer has reconnected. */
  const enqueueWhenReachable = (jobId: string) =>
    eventually(
      () =>
        gw.enqueue('maintenance.noop', { n: 1 }, { jobId }).then(
          () => true,
          () => false,
        ),
      15_000,
      100,
    );
  const completed = (jobId: string) => eventually(async () => (await gw.jobState('maintenance', jobId)) === 'completed', 15_000);

  it('is ready while Redis answers', async () => {
    const ready = await request(svc.baseUrl!).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details.redis.status).toBe('up');
  });

  it('keeps processing jobs after Redis restarts', async () => {
    await gw.enqueue('maintenance.noop', { n: 1 }, { jobId: 'before-restart' });
    await completed('before-restart');
    await redis.restart();
    await enqueueWhenReachable('after-restart');
    await completed('after-restart');
  });

  it('is not ready (503) while Redis is down, stays live, and recovers with the jobs it held', async () => {
    // Due shortly: it must survive the outage in Redis (AOF) and run once the worker is back.
    await gw.enqueue('maintenance.noop', { n: 2 }, { jobId: 'held-over-outage', delayMs: 300 });
    await redis.stop();
    try {
      const ready = await request(svc.baseUrl!).get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('error');
      expect(ready.body.details.redis.status).toBe('down');
      expect((await request(svc.baseUrl!).get('/health/live')).status).toBe(200);
    } finally {
      // Also when an assertion failed: with Redis gone the service's clients would reconnect forever.
      await redis.restart();
    }
    await eventually(async () => (await request(svc.baseUrl!).get('/health/ready')).status === 200, 15_000, 100);
    await completed('held-over-outage');
    await enqueueWhenReachable('after-outage');
    await completed('after-outage');
  });

  it('answers intake with 503 and Retry-After while Redis is down, and no client prints an unhandled error event', async () => {
    const printed: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
    let failedReconnects = 0;
    const countFailure = () => void failedReconnects++;
    gw.queue('maintenance').on('error', countFailure);
    await redis.stop();
    try {
      const res = await request(svc.baseUrl!)
        .post('/children/requests')
        .set('X-Api-Key', 'test-intake-key-0123456789')
        .send(validRequest({ proposedStart: '2030-01-07T10:00:00+01:00' }));
      expect(res.status).toBe(503);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body).toEqual({
        statusCode: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: { da: expect.stringMatching(/prøv igen/i), en: expect.stringMatching(/try again/i) },
      });
      // Admin routes too: a clear 503, not a bare 500.
      const admin = await request(svc.baseUrl!).get('/admin/dead-letters').auth('admin', 'test-admin-password');
      expect(admin.status).toBe(503);
      expect(admin.headers['retry-after']).toBeDefined();
      // Every client keeps reconnecting meanwhile: wait until reconnect attempts have certainly failed.
      await eventually(() => failedReconnects >= 2, 15_000);
    } finally {
      await redis.restart();
      spy.mockRestore();
      gw.queue('maintenance').off('error', countFailure);
    }
    await eventually(async () => (await request(svc.baseUrl!).get('/health/ready')).status === 200, 15_000, 100);
    // Recovered means every producer too: each reconnects on its own backoff, after readiness's client.
    await eventually(
      async () => {
        for (const q of gw.allQueues()) if ((await q.backend.client).status !== 'ready') return false;
        return true;
      },
      15_000,
      100,
    );
    // ioredis prints "Unhandled error event" and BullMQ prints the error's stack for a client nobody listens to.
    expect(printed).toEqual([]);
  });
});
