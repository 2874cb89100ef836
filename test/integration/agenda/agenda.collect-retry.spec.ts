import nock from 'nock';
import { POLICIES } from '../../../queues/policies';
import { QueueGateway } from '../../../queues/queue.gateway';
import type { RunningService } from '../../../src/main';
import { eventually, startTestService } from '../../support/test-service';

/**
 * The scheduled collect is a one-shot job: a bad answer in front of Nexus (a proxy's HTML page with
 * status 200, JSON cut off in transfer, a 503) must cost an attempt with the queue's backoff, not the
 * meeting's agenda. A worker against the Nexus simulator; nock puts the faults in front of it.
 */
// Un-patch http for the next test file in this Jest worker (nock's interceptor is process-wide).
afterAll(() => nock.restore());

describe('agenda.collect retries transient Nexus failures', () => {
  let svc: RunningService;
  let gw: QueueGateway;
  let home: URL;
  beforeAll(async () => {
    // One job attempt per 503 (in-call read retries are another, earlier layer with their own tests).
    svc = await startTestService('worker', { NEXUS_READ_RETRIES: '0' }, { sandboxes: true });
    gw = svc.app.get(QueueGateway);
    home = new URL(svc.config.NEXUS_BASE_URL!.replace(/\/?$/, '/'));
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await svc?.stop();
  });

  it("an HTML 200, truncated JSON and a 503 are retried with the queue's backoff; the collect then succeeds", async () => {
    const faults: Array<[number, string, Record<string, string>]> = [
      [200, '<html><body>Gateway: service temporarily unavailable</body></html>', { 'Content-Type': 'text/html' }],
      [200, '{"_links":{"patientPreferences":{"hre', { 'Content-Type': 'application/json' }],
      [503, 'Service Unavailable', { 'Content-Type': 'text/plain' }],
    ];
    const scope = nock(home.origin, { allowUnmocked: true });
    for (const [status, body, headers] of faults) scope.get(home.pathname).once().reply(status, body, headers);

    const jobId = 'collect-after-bad-answers';
    await gw.enqueue('agenda.collect', { districtId: 'solhoej', meetingDate: '2026-12-03', phase: 'manual' }, { jobId });
    const job = async () => (await gw.queue('agenda').getJob(jobId))!;
    const base = POLICIES.agenda.backoffMs;

    for (let failure = 1; failure <= faults.length; failure++) {
      // Each failure puts the job back as delayed by the queue's backoff (±25 % jitter), never failed.
      await eventually(async () => (await job()).attemptsMade === failure && (await gw.jobState('agenda', jobId)) === 'delayed');
      const j = await job();
      expect(j.delay).toBeGreaterThanOrEqual(base * 2 ** (failure - 1) * 0.75);
      expect(j.delay).toBeLessThanOrEqual(base * 2 ** (failure - 1) * 1.25);
      expect(j.failedReason).toMatch(failure < 3 ? /^\[NEXUS_BAD_RESPONSE\] / : /^\[HTTP_503\] /);
      await j.promote(); // skip the wait itself; the test is about what happens after it
    }
    await eventually(async () => (await gw.jobState('agenda', jobId)) === 'completed', 15_000);
    expect(scope.isDone()).toBe(true);
    expect((await job()).attemptsMade).toBe(faults.length + 1);
  });
});
