import Redis from 'ioredis';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LetterBody, LetterStore } from '../../../src/workflows/medcom-letters/medcom-letters.store';
import { MedcomService } from '../../../src/workflows/medcom-letters/medcom-letters.service';
import { medcomSettings } from '../../../adapters/medcom/medcom.settings';
import { messageComposer } from '../../../adapters/medcom/message.composer';
import type { MedcomTransport, OutboundMessage } from '../../../adapters/medcom/transport/medcom.transport';
import type { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import { Ledger } from '../../../src/ledger/ledger';
import { gpLetter } from '../../support/medcom-letters';
import { testConfig } from '../../support/test-service';

/**
 * Found by the chaos run: a receipt that arrived while a resend was being prepared (after the attempt
 * was claimed, before the content was read) settled the letter and dropped its content, and the
 * resend then failed as MEDCOM_CONTENT_GONE – a dead letter for a letter that was acknowledged.
 */
describe('a receipt arriving while a resend is prepared (real Redis)', () => {
  const config = testConfig({ MEDCOM_MAX_RESENDS: '2' });
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const sent: OutboundMessage[] = [];
  const transport: MedcomTransport = {
    send: async (m) => (sent.push(m), { name: m.envelopeId }),
    claimIncoming: async () => [],
    settle: async () => undefined,
  };
  const queue = { enqueue: async (_n: string, _p: unknown, o: { jobId?: string }) => o.jobId } as unknown as QueueGateway;
  /** The receipt lands exactly between the claim and the read of the content. */
  class RacingStore extends LetterStore {
    receiptFor?: string;
    override async body(letterId: string): Promise<LetterBody | null> {
      if (letterId === this.receiptFor) await this.transition(letterId, ['sent'], 'acknowledged');
      return super.body(letterId);
    }
  }
  const settings = medcomSettings(config);
  const store = new RacingStore(redis, config.QUEUE_PREFIX);
  const service = new MedcomService(
    settings,
    store,
    messageComposer(settings),
    transport,
    new Ledger(redis, config.QUEUE_PREFIX),
    new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'audit-')), config.QUEUE_PREFIX),
    queue,
  );
  afterAll(() => redis.quit());

  it('ends quietly as settled, sends nothing more, and the letter stays acknowledged', async () => {
    const { letterId } = await service.send(gpLetter());
    expect(sent).toHaveLength(1);
    store.receiptFor = letterId;
    await expect(service.onReceiptTimeout(letterId, 0)).resolves.toEqual({ outcome: 'settled' });
    expect(sent).toHaveLength(1);
    expect((await service.status(letterId))?.state).toBe('acknowledged');
  });

  it('still refuses a resend whose content is really gone while the letter waits for a receipt', async () => {
    const { letterId } = await service.send(gpLetter());
    const [bodyKey] = await redis.keys(`${config.QUEUE_PREFIX}:*${letterId}*body*`);
    expect(await redis.del(bodyKey)).toBe(1);
    await expect(service.onReceiptTimeout(letterId, 0)).rejects.toMatchObject({ code: 'MEDCOM_CONTENT_GONE' });
  });
});
