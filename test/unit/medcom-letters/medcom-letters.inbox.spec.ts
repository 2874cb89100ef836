import Redis from 'ioredis';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LetterStore } from '../../../src/workflows/medcom-letters/medcom-letters.store';
import { ReceiptInbox } from '../../../src/workflows/medcom-letters/medcom-letters.inbox';
import { buildFhirAcknowledgement, buildOioReceipt } from '../../../adapters/medcom/sandbox/receipts.builder';
import { medcomReceiptsUnmatched } from '../../../src/metrics/metrics';
import { FileDropTransport } from '../../../adapters/medcom/transport/file-drop.transport';
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
    await store.create(
      {
        letterId,
        ledgerKey: `k-${letterId}`,
        noteId,
        noteVersion: 2,
        kind: 'meeting-note',
        format: 'xdis91',
        receiverYdernummer: practice.ydernummer,
        receiverEan: practice.ean,
        converted: false,
        authorisedAt: new Date().toISOString(),
      },
      { patient: { cpr: '0101401234', givenName: 'A', surname: 'B' }, receiver: practice, subject: 's', text: 't' },
    );
    const env = await store.claimAttempt(letterId, 0, `env-${letterId}`, new Date());
    await store.markWritten(letterId, 0, new Date(Date.now() + 30 * 60_000));
    const receipt = buildOioReceipt({
      type,
      envelopeId: `rcpt-${letterId}`,
      letterId: `rl-${letterId}`,
      sentAt: new Date(),
      senderEan: practice.ean,
      receiverEan: '5790000123456',
      originalEnvelopeId: env!.envelopeId,
      letters: [{ letterId, versionCode: 'XD9134L' }],
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
    expect(enqueued).toEqual([
      {
        name: 'medcom.letter-rejected',
        jobId: `medcom-rejected-${letterId}`,
        payload: { letterId, noteId, receiptType: 'XCTL02', refuseCode: 'syntaksfejl' },
      },
    ]);
    const lines = (await audit.query({ noteId })).filter((a) => a.action === 'medcom.receipt');
    expect(lines).toEqual([
      expect.objectContaining({ outcome: 'failed', reason: 'XCTL02 syntaksfejl: [navn] i brevet om [navn] [navn] xxxxxxxxxx' }),
    ]);
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
    const transport: MedcomTransport = {
      send: async () => ({ name: 'unused' }),
      claimIncoming: async () => [item],
      settle: async () => undefined,
    };
    const audit = new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'audit-')), config.QUEUE_PREFIX);
    const recorded: unknown[] = [];
    const record = audit.record.bind(audit);
    audit.record = async (input) => {
      const rec = await record(input);
      recorded.push(rec);
      return rec;
    };
    await expect(new ReceiptInbox(store, transport, audit, {} as QueueGateway).poll()).resolves.toMatchObject({ failed: 1 });
    expect(recorded).toEqual([
      expect.objectContaining({ action: 'medcom.inbox', outcome: 'failed', externalIds: { file: 'xxxxxxxxxx [navn] [navn].xml' } }),
    ]);
  });

  it('writes the reason file of a file whose parser message names what it found with CPR and names removed', async () => {
    // The root element's name and namespace are the file's own text: a parser message that quotes them must not carry them on.
    const item: InboundItem = { id: 'receipt-2.xml', bytes: Buffer.from('<?xml version="1.0"?><Prøvesen xmlns="urn:0703381412"/>') };
    const reasons: string[] = [];
    const transport: MedcomTransport = {
      send: async () => ({ name: 'unused' }),
      claimIncoming: async () => [item],
      settle: async (_i, _d, reason) => void (reason && reasons.push(reason)),
    };
    const audit = new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'audit-')), config.QUEUE_PREFIX);
    await expect(new ReceiptInbox(store, transport, audit, {} as QueueGateway).poll()).resolves.toMatchObject({ failed: 1 });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^\[RECEIPT_\w+\] /);
    expect(reasons[0]).not.toMatch(/Prøvesen|0703381412/);
  });
});

/**
 * Strict matching (hostile-input review H2, MedCom point 8): a receipt settles a letter only when its
 * original envelope is one this service sent for that letter and it comes from the letter's receiver.
 */
describe('ReceiptInbox: which receipts may settle a letter', () => {
  const config = testConfig();
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const store = new LetterStore(redis, config.QUEUE_PREFIX);
  const audit = new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'audit-')), config.QUEUE_PREFIX);
  afterAll(() => redis.quit());
  const STRANGER = '5799999999999';
  const US = '5790000123456';

  let n = 0;
  /** A letter with `attempts` envelopes handed over, and an inbox reading the given files once. */
  async function letterWith(attempts = 1, format: 'xdis91' | 'fhir-json' = 'xdis91') {
    const letterId = `strict-${Date.now()}-${++n}`;
    const noteId = 5800 + n;
    await store.create(
      {
        letterId,
        ledgerKey: `k-${letterId}`,
        noteId,
        noteVersion: 1,
        kind: 'meeting-note',
        format,
        receiverYdernummer: practice.ydernummer,
        receiverEan: practice.ean,
        converted: false,
        authorisedAt: new Date().toISOString(),
      },
      { patient: { cpr: '0101401234', givenName: 'A', surname: 'B' }, receiver: practice, subject: 's', text: 't' },
    );
    const envelopes: string[] = [];
    for (let a = 0; a < attempts; a++) {
      envelopes.push((await store.claimAttempt(letterId, a, `env-${a}-${letterId}`, new Date()))!.envelopeId);
      await store.markWritten(letterId, a, new Date(Date.now() + 30 * 60_000));
    }
    return { letterId, noteId, envelopes };
  }
  function inboxReading(files: Record<string, Buffer>) {
    const settled: Array<{ id: string; disposition: string; reason?: string }> = [];
    const transport: MedcomTransport = {
      send: async () => ({ name: 'unused' }),
      claimIncoming: async () => (settled.length ? [] : Object.entries(files).map(([id, bytes]) => ({ id, bytes }))),
      settle: async (item, disposition, reason) => void settled.push({ id: item.id, disposition, reason }),
    };
    const enqueued: string[] = [];
    const queue = { enqueue: async (name: string) => void enqueued.push(name) } as unknown as QueueGateway;
    return { settled, enqueued, inbox: new ReceiptInbox(store, transport, audit, queue) };
  }
  const oio = (o: { type?: 'XCTL03' | 'XCTL02' | 'XCTL01'; sender?: string; originalEnvelopeId: string; letterIds: string[] }) =>
    buildOioReceipt({
      type: o.type ?? 'XCTL03',
      envelopeId: 'KRCPT00000001',
      letterId: 'QRCPT00000001',
      sentAt: new Date(),
      senderEan: o.sender ?? practice.ean,
      receiverEan: US,
      originalEnvelopeId: o.originalEnvelopeId,
      letters: o.letterIds.map((letterId) => ({ letterId, versionCode: 'XD9134L' })),
      ...(o.type && o.type !== 'XCTL03' ? { refuseCode: 'ikke_specificeret', refuseText: 'afvist' } : {}),
    });
  const unmatchedCount = async (code: string) =>
    (await medcomReceiptsUnmatched.get()).values.filter((v) => v.labels.code === code).reduce((a, v) => a + v.value, 0);

  it('sets aside a forged positive and a forged negative for a real letter id (junk envelope, junk sender): the letter stays as it was', async () => {
    const { letterId, noteId } = await letterWith();
    const before = await unmatchedCount('RECEIPT_ENVELOPE_NOT_SENT');
    const { settled, enqueued, inbox } = inboxReading({
      'forged-positive.xml': oio({ sender: STRANGER, originalEnvelopeId: 'EJUNK00000001', letterIds: [letterId] }),
      'forged-negative.xml': oio({ type: 'XCTL02', sender: STRANGER, originalEnvelopeId: 'EJUNK00000002', letterIds: [letterId] }),
    });
    expect(await inbox.poll()).toMatchObject({ files: 2, unmatched: 2, applied: 0 });
    expect(await store.get(letterId)).toMatchObject({ state: 'sent' });
    expect(enqueued).toEqual([]);
    expect(settled.map((s) => s.disposition)).toEqual(['unmatched', 'unmatched']);
    expect(settled[0].reason).toMatch(/^\[RECEIPT_ENVELOPE_NOT_SENT\] XCTL03 receipt KRCPT00000001: /);
    expect(await unmatchedCount('RECEIPT_ENVELOPE_NOT_SENT')).toBe(before + 2);
    const lines = (await audit.query({ noteId })).filter((a) => a.action === 'medcom.receipt');
    expect(lines).toEqual([
      expect.objectContaining({ outcome: 'skipped', externalIds: expect.objectContaining({ letterId }) }),
      expect.objectContaining({ outcome: 'skipped' }),
    ]);
  });

  it('sets aside a receipt with the right envelope from another sender than the receiver', async () => {
    const { letterId, envelopes } = await letterWith();
    const { settled, inbox } = inboxReading({
      'other-sender.xml': oio({ sender: STRANGER, originalEnvelopeId: envelopes[0], letterIds: [letterId] }),
    });
    expect(await inbox.poll()).toMatchObject({ unmatched: 1 });
    expect(settled[0].reason).toMatch(/^\[RECEIPT_SENDER_MISMATCH\] /);
    expect(await store.get(letterId)).toMatchObject({ state: 'sent' });
  });

  it("sets aside a receipt naming one letter with another letter's envelope", async () => {
    const a = await letterWith();
    const b = await letterWith();
    const { settled, inbox } = inboxReading({ 'crossed.xml': oio({ originalEnvelopeId: b.envelopes[0], letterIds: [a.letterId] }) });
    expect(await inbox.poll()).toMatchObject({ unmatched: 1 });
    expect(settled[0].reason).toMatch(/^\[RECEIPT_ENVELOPE_NOT_SENT\] /);
    expect(await store.get(a.letterId)).toMatchObject({ state: 'sent' });
    expect(await store.get(b.letterId)).toMatchObject({ state: 'sent' });
  });

  it('applies a receipt for any envelope sent for the letter (first send or a resend)', async () => {
    const first = await letterWith(2);
    const late = inboxReading({ 'for-first-send.xml': oio({ originalEnvelopeId: first.envelopes[0], letterIds: [first.letterId] }) });
    expect(await late.inbox.poll()).toMatchObject({ applied: 1 });
    expect(await store.get(first.letterId)).toMatchObject({ state: 'acknowledged' });
    const second = await letterWith(2);
    const r = inboxReading({ 'for-resend.xml': oio({ originalEnvelopeId: second.envelopes[1], letterIds: [second.letterId] }) });
    expect(await r.inbox.poll()).toMatchObject({ applied: 1 });
    expect(await store.get(second.letterId)).toMatchObject({ state: 'acknowledged' });
  });

  it('matches an XCTL02 without a letter id by its original envelope, and only from the receiver', async () => {
    const { letterId, envelopes } = await letterWith();
    const forged = inboxReading({
      'env-only-forged.xml': oio({ type: 'XCTL02', sender: STRANGER, originalEnvelopeId: envelopes[0], letterIds: [] }),
    });
    expect(await forged.inbox.poll()).toMatchObject({ unmatched: 1 });
    expect(await store.get(letterId)).toMatchObject({ state: 'sent' });
    const real = inboxReading({ 'env-only.xml': oio({ type: 'XCTL02', originalEnvelopeId: envelopes[0], letterIds: [] }) });
    expect(await real.inbox.poll()).toMatchObject({ applied: 1 });
    expect(await store.get(letterId)).toMatchObject({ state: 'rejected', refuseCode: 'ikke_specificeret' });
  });

  it("takes an XCTL01 that VANS sends on the receiver's behalf (OriginalReceiver is the receiver)", async () => {
    const { letterId, envelopes } = await letterWith();
    // buildOioReceipt writes the receipt's sender as OriginalReceiver too: rewrite only the Sender.
    const xml = oio({ type: 'XCTL01', originalEnvelopeId: envelopes[0], letterIds: [] })
      .toString('latin1')
      .replace(/<Sender>\s*<EANIdentifier>\d+</, (m) => m.replace(/\d{13}/, '5790000000067'));
    expect(xml).toMatch(/<Sender>\s*<EANIdentifier>5790000000067</);
    const { inbox } = inboxReading({ 'vans.xml': Buffer.from(xml, 'latin1') });
    expect(await inbox.poll()).toMatchObject({ applied: 1 });
    expect(await store.get(letterId)).toMatchObject({ state: 'rejected', receiptType: 'XCTL01' });
  });

  it('sets aside a receipt naming a real letter and a stranger as a whole, changing neither', async () => {
    const { letterId, envelopes } = await letterWith();
    const { settled, inbox } = inboxReading({
      'two.xml': oio({ originalEnvelopeId: envelopes[0], letterIds: [letterId, 'LSTRANGER00001'] }),
    });
    expect(await inbox.poll()).toMatchObject({ unmatched: 1 });
    expect(settled[0].reason).toMatch(/^\[RECEIPT_UNKNOWN_LETTER\] /);
    expect(await store.get(letterId)).toMatchObject({ state: 'sent' });
  });

  it('FHIR: applies an acknowledgement whose MessageHeader is not the first entry; sets aside one from another GLN', async () => {
    const ack = (letterId: string, fromEan: string) => {
      const json = JSON.parse(
        buildFhirAcknowledgement({
          bundleId: `b-${letterId}`,
          headerId: `h-${letterId}`,
          sentAt: new Date(),
          acknowledgedHeaderId: letterId,
          code: 'ok',
          format: 'fhir-json',
          from: { ean: fromEan, sor: practice.sor, name: 'GP' },
          to: { ean: US, sor: '123456789012345', name: 'Kommune' },
        }).toString('utf8'),
      );
      json.entry.reverse();
      return Buffer.from(JSON.stringify(json));
    };
    const good = await letterWith(1, 'fhir-json');
    const r = inboxReading({ 'ack.json': ack(good.letterId, practice.ean) });
    expect(await r.inbox.poll()).toMatchObject({ applied: 1 });
    expect(await store.get(good.letterId)).toMatchObject({ state: 'acknowledged' });
    const forged = await letterWith(1, 'fhir-json');
    const f = inboxReading({ 'ack.json': ack(forged.letterId, STRANGER) });
    expect(await f.inbox.poll()).toMatchObject({ unmatched: 1 });
    expect(f.settled[0].reason).toMatch(/^\[RECEIPT_SENDER_MISMATCH\] /);
    expect(await store.get(forged.letterId)).toMatchObject({ state: 'sent' });
  });
});

/** Review M3: one file with a name near the file system's limit must not stop the in-folder. */
describe('ReceiptInbox with the file drop: an in-folder file with a ≈250-byte name', () => {
  const config = testConfig();
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const store = new LetterStore(redis, config.QUEUE_PREFIX);
  const audit = new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'audit-')), config.QUEUE_PREFIX);
  afterAll(() => redis.quit());

  it('is set aside in failed/ under a safe generated name with a reason, and the other files of the same poll are read', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'longname-'));
    const inDir = path.join(root, 'in');
    mkdirSync(inDir);
    // A name of 250 bytes (Danish letters are two bytes in UTF-8), with a CPR number in it.
    const longName = `0101401234-Ærø-${'ø'.repeat(100)}`.padEnd(244 - 100, 'x') + '.xml';
    expect(Buffer.byteLength(longName)).toBeGreaterThanOrEqual(245);
    expect(Buffer.byteLength(longName)).toBeLessThanOrEqual(255);
    writeFileSync(path.join(inDir, longName), '<not-a-receipt/>');
    writeFileSync(path.join(inDir, 'b-garbage.xml'), 'garbage');
    writeFileSync(
      path.join(inDir, 'c-stranger.xml'),
      buildOioReceipt({
        type: 'XCTL03',
        envelopeId: 'KRCPT00000009',
        letterId: 'QRCPT00000009',
        sentAt: new Date(),
        senderEan: practice.ean,
        receiverEan: '5790000123456',
        originalEnvelopeId: 'ENOTOURS000009',
        letters: [{ letterId: 'LNOTOURS000009', versionCode: 'XD9134L' }],
      }),
    );
    const queue = { enqueue: async () => undefined } as unknown as QueueGateway;
    const inbox = new ReceiptInbox(store, new FileDropTransport(path.join(root, 'out'), inDir), audit, queue);

    await expect(inbox.poll()).resolves.toMatchObject({ files: 3, failed: 2, unmatched: 1 });
    expect(readdirSync(inDir).filter((n) => !n.startsWith('.') && !['failed', 'processed', 'unmatched'].includes(n))).toEqual([]);
    expect(readdirSync(path.join(inDir, '.processing'))).toEqual([]);
    const failed = readdirSync(path.join(inDir, 'failed'));
    const setAside = failed.find((n) => n.startsWith('name-too-long-') && !n.endsWith('.reason.txt'))!;
    expect(setAside).toMatch(/^name-too-long-[0-9a-f]{16}\.xml$/);
    expect(readFileSync(path.join(inDir, 'failed', setAside), 'utf8')).toBe('<not-a-receipt/>');
    const reason = readFileSync(path.join(inDir, 'failed', `${setAside}.reason.txt`), 'utf8');
    expect(reason).toMatch(/^\[RECEIPT_FILE_NAME\] /);
    expect(reason).not.toContain('0101401234');
    expect(failed).toContain('b-garbage.xml');
    expect(readdirSync(path.join(inDir, 'unmatched'))).toContain('c-stranger.xml');
    // Nothing of the long name reaches the audit either.
    const lines = await audit.query({ limit: 1000 });
    expect(JSON.stringify(lines)).not.toContain('0101401234');
  });
});
