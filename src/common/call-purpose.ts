import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Why an outbound call is made, for the call budget (tsm_nexus_calls_total{purpose}). A workflow
 * names its purpose around the work (`withCallPurpose('watch', () => …)`); the adapter only reads
 * the label, so it stays free of workflow knowledge. Calls outside any purpose count as "other".
 */
export type CallPurpose = 'agenda' | 'watch' | 'sweep' | 'steps' | 'tasks' | 'other';

const purposes = new AsyncLocalStorage<CallPurpose>();

export function withCallPurpose<T>(purpose: CallPurpose, work: () => T): T {
  return purposes.run(purpose, work);
}

export function callPurpose(): CallPurpose {
  return purposes.getStore() ?? 'other';
}

/**
 * The method's work counts under `purpose`. Put it below `@JobHandler(…)` (decorators apply bottom
 * up, and the handler's metadata must land on the wrapped method).
 */
export function CallPurposeOf(purpose: CallPurpose): MethodDecorator {
  return (_target, _key, descriptor: PropertyDescriptor) => {
    const work = descriptor.value as (...args: unknown[]) => unknown;
    descriptor.value = function (this: unknown, ...args: unknown[]) {
      return withCallPurpose(purpose, () => work.apply(this, args));
    };
    return descriptor;
  };
}
