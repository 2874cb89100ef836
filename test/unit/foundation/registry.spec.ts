import { validateHandlers } from '../../../queues/job-registry';
import { backoffDelay } from '../../../queues/policies';
import { classifyError, PermanentError, RetryableError } from '../../../src/common/errors';

describe('job registry', () => {
  const known = ['a.one', 'b.two'];
  it('accepts exactly one handler per job type', () => {
    expect(() =>
      validateHandlers(
        [
          { name: 'a.one', owner: 'A.x' },
          { name: 'b.two', owner: 'B.y' },
        ],
        known,
      ),
    ).not.toThrow();
  });
  it('refuses a job type without a handler', () => {
    expect(() => validateHandlers([{ name: 'a.one', owner: 'A.x' }], known)).toThrow(/without a handler: b.two/);
  });
  it('refuses two handlers for one job type', () => {
    expect(() =>
      validateHandlers(
        [
          { name: 'a.one', owner: 'A.x' },
          { name: 'a.one', owner: 'C.z' },
          { name: 'b.two', owner: 'B.y' },
        ],
        known,
      ),
    ).toThrow(/more than one handler: a.one \(A.x, C.z\)/);
  });
  it('refuses a handler for an unknown job type', () => {
    expect(() =>
      validateHandlers(
        [
          { name: 'a.one', owner: 'A' },
          { name: 'b.two', owner: 'B' },
          { name: 'x', owner: 'X' },
        ],
        known,
      ),
    ).toThrow(/unknown/);
  });
});

describe('error classification and backoff', () => {
  it.each([
    [{ code: 'ECONNRESET' }, 'retryable'],
    [{ code: 'ETIMEDOUT' }, 'retryable'],
    [{ response: { status: 503 } }, 'retryable'],
    [{ response: { status: 429 } }, 'retryable'],
    [{ response: { status: 400 } }, 'permanent'],
    [{ response: { status: 404 } }, 'permanent'],
    [new PermanentError('x'), 'permanent'],
    [new RetryableError('x'), 'retryable'],
  ])('%j is %s', (err, cls) => expect(classifyError(err)).toBe(cls));

  it('grows exponentially with bounded jitter', () => {
    expect(backoffDelay(1, 1000, () => 0.5)).toBe(1000);
    expect(backoffDelay(3, 1000, () => 0.5)).toBe(4000);
    expect(backoffDelay(3, 1000, () => 0)).toBe(3000);
    expect(backoffDelay(3, 1000, () => 1)).toBe(5000);
    expect(backoffDelay(40, 1000, () => 0.5)).toBe(30 * 60_000);
  });
});
