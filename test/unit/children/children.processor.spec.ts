import pino from 'pino';
import type { JobContext } from '../../../queues/job-context';
import { ChildrenProcessor } from '../../../src/workflows/children/children.processor';
import { PermanentError, RetryableError } from '../../../src/common/errors';
import type { JournalAgreementStep } from '../../../src/workflows/children/children.agreement';
import type { ChildrenReminders } from '../../../src/workflows/children/children.reminders';
import type { RouteRequestStep } from '../../../src/workflows/children/children.routing';
import type { ChildrenStore } from '../../../src/workflows/children/children.store';

const ctx = (attemptsMade: number, attempts = 8): JobContext => ({
  jobId: 'j',
  name: 'children.route',
  queue: 'children',
  attemptsMade,
  attempts,
  log: pino({ level: 'silent' }),
  childResults: async () => ({}),
});

function setup(outcome: () => Promise<string>) {
  const problems: Array<[string, string]> = [];
  const store = { setProblem: async (id: string, code: string) => void problems.push([id, code]) } as unknown as ChildrenStore;
  const route = { run: outcome } as unknown as RouteRequestStep;
  const reminders = { acceptanceDeadline: outcome, followUpCheck: outcome } as unknown as ChildrenReminders;
  const agreement = { run: outcome } as unknown as JournalAgreementStep;
  return { p: new ChildrenProcessor(route, reminders, agreement, store), problems };
}

describe('ChildrenProcessor', () => {
  it('returns the step result', async () => {
    const { p, problems } = setup(async () => 'routed');
    expect(await p.route({ requestId: 'r1' }, ctx(0))).toEqual({ result: 'routed' });
    expect(problems).toEqual([]);
  });

  it('marks the request when a step fails permanently, and rethrows (dead letter)', async () => {
    const { p, problems } = setup(async () => {
      throw new PermanentError('no case', 'EDOC_CASE_NOT_FOUND');
    });
    await expect(p.route({ requestId: 'r1' }, ctx(0))).rejects.toThrow('no case');
    expect(problems).toEqual([['r1', 'EDOC_CASE_NOT_FOUND']]);
  });

  it('leaves a retryable failure unmarked until the last attempt', async () => {
    const { p, problems } = setup(async () => {
      throw new RetryableError('down', 'NOTIFY_DOWN');
    });
    await expect(p.acceptanceDeadline({ requestId: 'r2' }, ctx(3))).rejects.toThrow('down');
    expect(problems).toEqual([]);
    await expect(p.followUpCheck({ requestId: 'r2' }, ctx(7))).rejects.toThrow('down');
    expect(problems).toEqual([['r2', 'NOTIFY_DOWN']]);
  });

  it("marks the meeting's request for agreement jobs", async () => {
    const { p, problems } = setup(async () => {
      throw new PermanentError('gone', 'CHILDREN_FORM_EXPIRED');
    });
    await expect(p.journalAgreement({ meetingId: '3f1c2f9e-1111-4a5b-9c3d-000000000001-m2' }, ctx(0))).rejects.toThrow();
    expect(problems).toEqual([['3f1c2f9e-1111-4a5b-9c3d-000000000001', 'CHILDREN_FORM_EXPIRED']]);
  });
});
