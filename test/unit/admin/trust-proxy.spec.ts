import { authFailureLimit, trustProxySetting } from '../../../src/admin/auth-failure-limit';

describe('TRUST_PROXY and AUTH_FAILURE_LIMIT settings', () => {
  it.each([
    [undefined, false], ['', false], ['false', false], ['true', true], ['1', 1], ['2', 2], ['loopback', 'loopback'], ['10.0.0.1, 10.0.0.2', '10.0.0.1, 10.0.0.2'],
  ])('TRUST_PROXY=%p is express "trust proxy" %p', (value, expected) => {
    expect(trustProxySetting(value)).toEqual(expected);
  });

  it('AUTH_FAILURE_LIMIT=0 turns the limit off', () => {
    expect(authFailureLimit({ AUTH_FAILURE_LIMIT: 0, AUTH_FAILURE_WINDOW_MIN: 15 })).toBeUndefined();
    expect(typeof authFailureLimit({ AUTH_FAILURE_LIMIT: 5, AUTH_FAILURE_WINDOW_MIN: 15 })).toBe('function');
  });
});
