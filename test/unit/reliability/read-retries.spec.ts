import nock from 'nock';
import { ResilientHttp } from '../../../adapters/shared/resilient-http';
import { IntegrationError } from '../../../src/common/errors';

/** Reads repeat after retryable failures; writes and permanent failures never do. */
// Un-patch http for the next test file in this Jest worker (nock's interceptor is process-wide).
afterAll(() => nock.restore());

describe('ResilientHttp read retries', () => {
  const origin = 'http://flaky.example';
  let http: ResilientHttp;
  beforeEach(() => {
    http = new ResilientHttp({
      system: `flaky-${Date.now()}`,
      baseURL: origin,
      timeoutMs: 1000,
      concurrency: 2,
      readRetries: { attempts: 2, baseDelayMs: 0 },
    });
  });
  afterEach(() => {
    http.shutdown();
    nock.cleanAll();
  });

  it('repeats a GET answered 503 and 500 and returns the answer that finally came', async () => {
    const scope = nock(origin).get('/x').reply(503, 'busy').get('/x').reply(500, { message: 'oops' }).get('/x').reply(200, { ok: true });
    const res = await http.request({ url: '/x' });
    expect(res.data).toEqual({ ok: true });
    expect(scope.isDone()).toBe(true);
  });

  it('gives up after the configured number of repeats with the last classified error', async () => {
    nock(origin).get('/x').times(3).reply(503, 'busy');
    const extra = nock(origin).get('/x').reply(200, {});
    await expect(http.request({ url: '/x' })).rejects.toMatchObject({ code: 'HTTP_503', errorClass: 'retryable' });
    expect(extra.isDone()).toBe(false);
  });

  it('repeats a read that timed out', async () => {
    // A timeout far above an instant answer's time, also on a loaded CI machine (20 ms failed there once).
    const quick = new ResilientHttp({
      system: `quick-${Date.now()}`,
      baseURL: origin,
      timeoutMs: 300,
      concurrency: 1,
      readRetries: { attempts: 1, baseDelayMs: 0 },
    });
    try {
      const scope = nock(origin).get('/slow').delay(600).reply(200, {}).get('/slow').reply(200, { second: true });
      // The late first answer comes after the retry's; the test waits for both, so no timer outlives it.
      let replies = 0;
      const bothAnswered = new Promise<void>((resolve) => scope.on('replied', () => ++replies === 2 && resolve()));
      const res = await quick.request({ url: '/slow' });
      expect(res.data).toEqual({ second: true });
      await bothAnswered;
    } finally {
      quick.shutdown();
    }
  });

  it('never repeats a 4xx answer', async () => {
    nock(origin).get('/gone').reply(404, { message: 'no' });
    const again = nock(origin).get('/gone').reply(200, {});
    const err = await http.request({ url: '/gone' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrationError);
    expect((err as IntegrationError).code).toBe('HTTP_404');
    expect(again.isDone()).toBe(false);
  });

  it.each(['post', 'put', 'delete'])('never repeats a %s, whose first attempt may have landed', async (method) => {
    (nock(origin) as unknown as Record<string, (p: string) => nock.Interceptor>)[method]('/w').reply(503, 'busy');
    const again = (nock(origin) as unknown as Record<string, (p: string) => nock.Interceptor>)[method]('/w').reply(200, {});
    await expect(http.request({ url: '/w', method, data: {} })).rejects.toMatchObject({ code: 'HTTP_503' });
    expect(again.isDone()).toBe(false);
  });

  it('sends a read once when no retries are configured', async () => {
    const once = new ResilientHttp({ system: `once-${Date.now()}`, baseURL: origin, timeoutMs: 1000, concurrency: 1 });
    nock(origin).get('/x').reply(503, 'busy');
    const again = nock(origin).get('/x').reply(200, {});
    await expect(once.request({ url: '/x' })).rejects.toMatchObject({ code: 'HTTP_503' });
    expect(again.isDone()).toBe(false);
    once.shutdown();
  });
});
