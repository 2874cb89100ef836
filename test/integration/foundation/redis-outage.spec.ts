import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { QueueGateway } from '../../../queues/queue.gateway';
import { EmbeddedRedis, startEmbeddedRedis } from '../../../src/infra/embedded-redis';
import type { RunningService } from '../../../src/main';
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
    eventually(() => gw.enqueue('maintenance.noop', { n: 1 }, { jobId }).then(() => true, () => false), 15_000, 100);
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
});
