import { MEDCOM_PORT, MedcomPort } from '../../../adapters/medcom/medcom.port';
import { QueueGateway } from '../../../queues/queue.gateway';
import type { RunningService } from '../../../src/main';
import { gpLetter } from '../../support/medcom-letters';
import { eventually, startTestService } from '../../support/test-service';
import { vansSandbox } from '../../support/vans-sandbox-client';

/**
 * Found by the chaos run: with the medcom queue backed up, the receipt lay in the in-folder while the
 * poll job waited behind other work, and the receipt timeout resent the letter for nothing (450
 * resends for 500 letters). The timeout now reads the in-folder before it decides.
 */
describe('a receipt timeout reads the in-folder before it resends', () => {
  let svc: RunningService;
  beforeAll(async () => {
    // The scheduled poll effectively never comes; only the timeout can see the receipt.
    svc = await startTestService('all', { MEDCOM_INBOX_POLL_MS: '600000', MEDCOM_RECEIPT_TIMEOUT_MS: '1500', SANDBOX_VANS_DELAY_MS: '0' });
  });
  afterAll(() => svc?.stop());

  it('applies the waiting receipt and sends nothing again', async () => {
    const medcom = svc.app.get<MedcomPort>(MEDCOM_PORT);
    const vans = vansSandbox(svc.config.SANDBOX_VANS_PORT!);
    const { letterId } = await medcom.send(gpLetter());
    await eventually(async () => (await vans.stats()).receiptsSent === 1, 10_000);
    const gw = svc.app.get(QueueGateway);
    const jobId = `medcom-timeout-${letterId}-0`;
    await eventually(async () => (await gw.jobState('medcom', jobId)) === 'completed', 10_000);
    expect((await gw.queue('medcom').getJob(jobId))?.returnvalue).toEqual({ outcome: 'acknowledged' });
    expect((await medcom.status(letterId))?.state).toBe('acknowledged');
    expect((await vans.stats()).envelopesPerLetter[letterId]).toBe(1);
  });
});
