import Redis from 'ioredis';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LetterStore } from '../../../adapters/medcom/letter.store';
import { ReceiptInbox } from '../../../adapters/medcom/receipt.inbox';
import { buildOioReceipt } from '../../../adapters/medcom/sandbox/receipts.builder';
import type { InboundItem, MedcomTransport } from '../../../adapters/medcom/transport/medcom.transport';
import type { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import { practice } from '../../support/medcom-fixtures';
import { testConfig } from '../../support/test-service';

/**
 * A negative receipt whose reading died after the letter was marked rejected but before its dead
 * letter was enqueued (Redis gone, a crash): the in-folder file is read again and the dead letter
 * must still come, once.
 */
describe('ReceiptInbox: a negative receipt read again after a failed reading', () => {
  const config = testConfig();
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const store = new LetterStore(redis, config.QUEUE_PREFIX);
  afterAll(() => redis.quit());

  let n = 0;
  /** A letter handed over, its receipt of `type` waiting in the in-folder, and an inbox whose queue fails `queueFailures` times. */
  async function setup(type: 'XCTL02' | 'XCTL03', queueFailures: number) {
    const letterId = `letter-${Date.now()}-${++n}`;
    const noteId = 4700 + n;
    await store.create({ letterId, ledgerKey: `k-${letterId}`, noteId, noteVersion: 2, kind: 'meeting-note', format: 'xdis91',
      receiverYdernummer: practice.ydernummer, converted: false, authorisedAt: new Date().toISOString() },
    { patient: { cpr: '0101401234', givenName: 'A', surname: 'B' }, receiver: practice, subject: 's', text: 't' });
    const env = await store.claimAttempt(letterId, 0, `env-${letterId}`, new Date());
    await store.markWritten(letterId, 0, new Date(Date.now() + 30 * 60_000));
    const receipt = buildOioReceipt({
      type, envelopeId: `rcpt-${letterId}`, letterId: `rl-${letterId}`, sentAt: new Date(), senderEan: practice.ean, receiverEan: '5790000123456',
      originalEnvelopeId: env!.envelopeId, letters: [{ letterId, versionCode: 'XD9134L' }],
      ...(type === 'XCTL02' ? { refuseCode: 'syntaksfejl', refuseText: 'Fejl i brevet om Anna Prøvesen 0703381412' } : {}),
    });
    const settled: string[] = [];
    const transport: MedcomTransport = {
      send: async () => ({ name: 'unused' }),
      // The file stays in the in-folder until settled: every reading gets it again.
      claimIncoming: async () => (settled.length ? [] : [{ id: 'receipt-1.xml', bytes: receipt } satisfies InboundItem]),
      settle: async (item) => void settled.push(item.id),
    };
    const enqueued: Array<{ name: string; payload: unknown; jobId?: string }> = [];
    let redisDown = queueFailures;
    const queue = {
      enqueue: async (name: string, payload: unknown, opts: { jobId?: string }) => {
        if (redisDown > 0 && redisDown--) throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
        enqueued.push({ name, payload, jobId: opts.jobId });
        return opts.jobId;
      },
    } as unknown as QueueGateway;
    const audit = new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'audit-')), config.QUEUE_PREFIX);
    return { letterId, noteId, settled, enqueued, audit, inbox: new ReceiptInbox(store, transport, audit, queue) };
  }

  it('enqueues the rejected-letter dead letter on the second reading, with the stored refusal', async () => {
    const { letterId, noteId, settled, enqueued, audit, inbox } = await setup('XCTL02', 1);

    await expect(inbox.poll()).rejects.toThrow(/enableOfflineQueue/);
    expect(await store.get(letterId)).toMatchObject({ state: 'rejected', refuseCode: 'syntaksfejl' });
    expect(settled).toEqual([]);

    await expect(inbox.poll()).resolves.toMatchObject({ files: 1, duplicates: 1 });
    expect(settled).toEqual(['receipt-1.xml']);
    expect(enqueued).toEqual([{ name: 'medcom.letter-rejected', jobId: `medcom-rejected-${letterId}`,
      payload: { letterId, noteId, receiptType: 'XCTL02', refuseCode: 'syntaksfejl' } }]);
    const lines = (await audit.query({ noteId })).filter((a) => a.action === 'medcom.receipt');
    expect(lines).toEqual([expect.objectContaining({ outcome: 'failed', reason: 'XCTL02 syntaksfejl: [navn] i brevet om [navn] [navn] xxxxxxxxxx' })]);
  });

  it('writes the audit line of a positive receipt whose first reading died before it, once', async () => {
    const { noteId, settled, audit, inbox } = await setup('XCTL03', 0);
    const recordOnce = audit.recordOnce.bind(audit);
    let fail = 1;
    audit.recordOnce = async (...args) => {
      if (fail-- > 0) throw new Error('process died');
      return recordOnce(...args);
    };
    await expect(inbox.poll()).rejects.toThrow('process died');
    expect(await audit.query({ noteId })).toEqual([]);
    await expect(inbox.poll()).resolves.toMatchObject({ files: 1, duplicates: 1 });
    expect(settled).toEqual(['receipt-1.xml']);
    expect((await audit.query({ noteId })).map((a) => `${a.action}:${a.outcome}`)).toEqual(['medcom.receipt:ok']);
  });

  it('audits an unreadable file under its name with CPR and names removed', async () => {
    const item: InboundItem = { id: '0703381412 Anna Prøvesen.xml', bytes: Buffer.from('not xml at all') };
    const transport: MedcomTransport = { send: async () => ({ name: 'unused' }), claimIncoming: async () => [item], settle: async () => undefined };
    const audit = new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'audit-')), config.QUEUE_PREFIX);
    const recorded: unknown[] = [];
    const record = audit.record.bind(audit);
    audit.record = async (input) => {
      const rec = await record(input);
      recorded.push(rec);
      return rec;
    };
    await expect(new ReceiptInbox(store, transport, audit, {} as QueueGateway).poll()).resolves.toMatchObject({ failed: 1 });
    expect(recorded).toEqual([expect.objectContaining({ action: 'medcom.inbox', outcome: 'failed', externalIds: { file: 'xxxxxxxxxx [navn] [navn].xml' } })]);
  });
});
