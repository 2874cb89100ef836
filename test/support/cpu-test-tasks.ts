import { threadId } from 'node:worker_threads';
import { PermanentError, RetryableError } from '../../src/common/errors';

/** Tasks for the CpuPool tests, run on its threads: quick ones, slow ones and ones that fail in each way. */
export const CPU_TASKS = {
  echo: (x: unknown) => x,
  double: (bytes: Uint8Array) => Buffer.concat([bytes, bytes]),
  threadId: () => threadId,
  /** Busy for `ms`: a CPU-bound task that never yields. */
  spin: (ms: number) => {
    const end = Date.now() + ms;
    let n = 0;
    while (Date.now() < end) n++;
    return n;
  },
  /** Never ends by itself: only terminating the thread stops it. */
  forever: () => {
    for (;;) {
      // a tight loop with no await: nothing on this thread can run again
    }
  },
  permanent: () => {
    throw new PermanentError('refused', 'TEST_REFUSED', 'test');
  },
  retryable: async () => {
    throw new RetryableError('later', 'TEST_LATER', 'test', 503);
  },
  plain: () => {
    throw Object.assign(new SyntaxError('bad'), { code: 'E_BAD' });
  },
  oom: () => {
    const keep: number[][] = [];
    for (;;) keep.push(new Array(1_000_000).fill(1));
  },
};
