import 'reflect-metadata';
import { callPurpose, CallPurposeOf, withCallPurpose } from '../../../src/common/call-purpose';
import { JOB_HANDLER_METADATA, JobHandler } from '../../../queues/job-handler.decorator';

class Handlers {
  @JobHandler('maintenance.noop')
  @CallPurposeOf('tasks')
  async work(): Promise<string> {
    await new Promise((r) => setImmediate(r));
    return callPurpose();
  }
}

describe('call purpose (tsm_nexus_calls_total{purpose})', () => {
  it('follows the work through awaits, and is "other" outside any purpose', async () => {
    expect(callPurpose()).toBe('other');
    expect(
      await withCallPurpose('watch', async () => {
        await new Promise((r) => setTimeout(r, 1));
        return callPurpose();
      }),
    ).toBe('watch');
    expect(callPurpose()).toBe('other');
  });

  it('@CallPurposeOf under @JobHandler: the handler is still found and its work counts under the purpose', async () => {
    const h = new Handlers();
    expect(Reflect.getMetadata(JOB_HANDLER_METADATA, Handlers.prototype.work)).toBe('maintenance.noop');
    expect(await h.work()).toBe('tasks');
  });
});
