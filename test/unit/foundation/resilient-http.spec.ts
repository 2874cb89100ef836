import nock from 'nock';
import { ResilientHttp } from '../../../adapters/shared/resilient-http';
import { PermanentError, RetryableError } from '../../../src/common/errors';

const BASE = 'http://system.test';

describe('ResilientHttp', () => {
  afterEach(() => nock.cleanAll());
  // Un-patch http for the next test file in this Jest worker (nock's interceptor is process-wide).
  afterAll(() => nock.restore());
  const client = () => new ResilientHttp({ system: 'test', baseURL: BASE, timeoutMs: 1000, concurrency: 2 });

  it('never follows a redirect: a 3xx is a permanent error and the target is not called', async () => {
    nock(BASE).get('/a').reply(302, '', { Location: 'http://elsewhere.test/steal' });
    const elsewhere = nock('http://elsewhere.test').get('/steal').reply(200, {});
    const err = await client()
      .request({ url: '/a' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('HTTP_302');
    expect(elsewhere.isDone()).toBe(false);
  });

  it('classifies 5xx as retryable and 4xx as permanent, with only the path in the message', async () => {
    nock(BASE).get('/x').query(true).reply(503).get('/y').reply(404);
    const e1 = await client()
      .request({ url: '/x?cpr=0101401234' })
      .catch((e) => e);
    const e2 = await client()
      .request({ url: '/y' })
      .catch((e) => e);
    expect(e1).toBeInstanceOf(RetryableError);
    expect(e1.message).not.toContain('0101401234');
    expect(e2).toBeInstanceOf(PermanentError);
  });
});
