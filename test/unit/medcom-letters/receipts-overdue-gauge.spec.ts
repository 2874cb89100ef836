import Redis from 'ioredis';
import { LetterStore } from '../../../src/workflows/medcom-letters/medcom-letters.store';
import { metricsRegistry, setReceiptsOverdueSource } from '../../../src/metrics/metrics';

/** tsm_medcom_receipts_overdue (alert TsmReceiptOverdue) counts letters whose receipt is past due, read from Redis at scrape time. */
describe('receipts overdue gauge', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const store = new LetterStore(redis, `overdue${process.pid}x${Date.now().toString(36)}`);
  const now = new Date('2026-12-03T12:00:00Z');
  afterAll(async () => {
    setReceiptsOverdueSource(undefined);
    await redis.quit();
  });

  it('counts only letters whose receipt was due by now and that still await one', async () => {
    await store.markWritten('L-past-1', 0, new Date(now.getTime() - 60_000));
    await store.markWritten('L-past-2', 0, new Date(now.getTime() - 1));
    await store.markWritten('L-future', 0, new Date(now.getTime() + 60_000));
    await store.forgetAwaiting('L-past-2'); // its receipt came
    setReceiptsOverdueSource(() => store.countOverdue(now));
    expect(await metricsRegistry.getSingleMetricAsString('tsm_medcom_receipts_overdue')).toMatch(/^tsm_medcom_receipts_overdue 1$/m);
  });
});
