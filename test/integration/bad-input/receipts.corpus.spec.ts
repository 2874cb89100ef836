import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MEDCOM_PORT, MedcomPort } from '../../../adapters/medcom/medcom.port';
import { medcomDirs } from '../../../adapters/medcom/medcom.settings';
import { buildOioReceipt } from '../../../adapters/medcom/sandbox/receipts.builder';
import { MAX_INBOUND_BYTES } from '../../../adapters/medcom/xml/safe-xml';
import { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import type { RunningService } from '../../../src/main';
import { largeReceipt } from '../../support/large-receipts';
import { LivenessProbe } from '../../support/liveness-probe';
import { gpLetter } from '../../support/medcom-letters';
import { eventually, startTestService } from '../../support/test-service';

/**
 * The hostile-file corpus (test/corpus/receipts, named <CODE>.<case>.<ext>) dropped into the VANS
 * in-folder of a running service, next to a genuine receipt: the scheduled inbox job must refuse each
 * bad file with its classified reason (failed/ + .reason.txt + audit record), apply the good receipt,
 * never fail itself, and leave nothing behind in the in-folder. Forged receipts for a real letter
 * (codes in UNMATCHED_CODES; {{LETTER_ID}}, {{ENVELOPE_ID}}, {{RECEIVER_EAN}} filled in with the
 * letter's own values) must end in unmatched/ and leave the letter as it was. Large files never hold
 * up the API (issue 14, M6): over MEDCOM_INBOX_MAX_BYTES they are refused unread, below it they are
 * parsed on a worker thread, and /health/live answers within 1 s throughout.
 */
const UNMATCHED_CODES = ['RECEIPT_SENDER_MISMATCH', 'RECEIPT_ENVELOPE_NOT_SENT', 'RECEIPT_UNKNOWN_LETTER'];
const CORPUS = path.join(__dirname, '..', '..', 'corpus', 'receipts');
const NS = 'http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/';

describe('VANS in-folder: the bad-input corpus through the real inbox job', () => {
  let svc: RunningService;
  let inDir: string;
  const expected = new Map<string, string>();

  beforeAll(async () => {
    // VANS drops every receipt: the only receipts are the ones this test writes.
    svc = await startTestService('all', { SANDBOX_VANS_DROP_RATE: '1', MEDCOM_INBOX_POLL_MS: '100' });
    inDir = medcomDirs(svc.config).inDir;
  });
  afterAll(() => svc?.stop());

  /** Written under a hidden name and renamed, as a VANS client does, so no half file is ever read. */
  const drop = (name: string, bytes: Buffer) => {
    writeFileSync(path.join(inDir, `.${name}.partial`), bytes);
    renameSync(path.join(inDir, `.${name}.partial`), path.join(inDir, name));
  };

  it('refuses every corpus file with its code, applies the genuine receipt beside them, and loses nothing', async () => {
    const medcom = svc.app.get<MedcomPort>(MEDCOM_PORT);
    const letter = gpLetter();
    const sent = await medcom.send(letter);

    // Forgeries first: each must be set aside with its code while the letter waits, unchanged.
    const forged = readdirSync(CORPUS).filter((n) => UNMATCHED_CODES.includes(n.split('.')[0]));
    expect(forged.length).toBeGreaterThanOrEqual(6);
    for (const name of forged) {
      const text = readFileSync(path.join(CORPUS, name), 'latin1')
        .replaceAll('{{LETTER_ID}}', sent.letterId)
        .replaceAll('{{ENVELOPE_ID}}', sent.envelopeId)
        .replaceAll('{{RECEIVER_EAN}}', letter.receiver.ean);
      drop(name, Buffer.from(text, 'latin1'));
    }
    await eventually(() => forged.every((n) => existsSync(path.join(inDir, 'unmatched', `${n}.reason.txt`))), 20_000);
    for (const name of forged) {
      expect(`${name}: ${readFileSync(path.join(inDir, 'unmatched', `${name}.reason.txt`), 'utf8')}`).toMatch(
        new RegExp(`^${name}: \\[${name.split('.')[0]}\\] \\S`),
      );
    }
    expect(await medcom.status(sent.letterId)).toMatchObject({ state: 'sent' });
    const skipped = (await svc.app.get(AuditService).query({ noteId: letter.noteId })).filter(
      (a) => a.action === 'medcom.receipt' && a.outcome === 'skipped',
    );
    // One audit line per forgery that named this letter (the envelope-only one with an unknown envelope and
    // the one naming a stranger too cannot be tied to it), each with its code.
    expect(skipped.map((a) => /^\[([A-Z_]+)\]/.exec(a.reason!)?.[1]).sort()).toEqual([
      'RECEIPT_ENVELOPE_NOT_SENT',
      'RECEIPT_ENVELOPE_NOT_SENT',
      'RECEIPT_SENDER_MISMATCH',
      'RECEIPT_SENDER_MISMATCH',
      'RECEIPT_SENDER_MISMATCH',
    ]);

    for (const name of readdirSync(CORPUS).filter((n) => /^RECEIPT_[A-Z]+\./.test(n))) {
      expected.set(name, name.split('.')[0]);
      drop(name, readFileSync(path.join(CORPUS, name)));
    }
    // Too big to keep in git: generated here.
    expected.set('RECEIPT_TOO_LARGE.huge.xml', 'RECEIPT_TOO_LARGE');
    drop(
      'RECEIPT_TOO_LARGE.huge.xml',
      Buffer.concat([
        Buffer.from(`<?xml version="1.0"?><Emessage xmlns="${NS}">`),
        Buffer.alloc(MAX_INBOUND_BYTES, 0x20),
        Buffer.from('</Emessage>'),
      ]),
    );
    expected.set('RECEIPT_MALFORMED.deep-nesting.xml', 'RECEIPT_MALFORMED');
    drop(
      'RECEIPT_MALFORMED.deep-nesting.xml',
      Buffer.from(`<Emessage xmlns="${NS}">${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}</Emessage>`),
    );
    // Well-formed receipts over the size limit (1 MiB by default), which once blocked the event loop
    // for seconds while they were parsed: refused unread.
    expected.set('RECEIPT_TOO_LARGE.well-formed-5mb.xml', 'RECEIPT_TOO_LARGE');
    drop('RECEIPT_TOO_LARGE.well-formed-5mb.xml', largeReceipt({ textBytes: 5 * 1024 * 1024 - 2000 }));
    expected.set('RECEIPT_TOO_LARGE.200k-attributes.xml', 'RECEIPT_TOO_LARGE');
    drop('RECEIPT_TOO_LARGE.200k-attributes.xml', largeReceipt({ attributes: 200_000 }));
    // Just under the limit: parsed (on a worker thread) and, answering no letter, set aside as unmatched.
    drop('large-receipt-for-a-stranger.xml', largeReceipt({ textBytes: 1_000_000 }));

    const receipt = (letterId: string, envelopeId: string) =>
      buildOioReceipt({
        type: 'XCTL03',
        envelopeId: 'KCORPUSGOOD001',
        letterId: 'QCORPUSGOOD001',
        sentAt: new Date(),
        senderEan: '5790001234567',
        receiverEan: '5790000123456',
        originalEnvelopeId: envelopeId,
        letters: [{ letterId, versionCode: 'XD9134L' }],
      });
    drop('genuine-receipt.xml', receipt(sent.letterId, sent.envelopeId));
    drop('receipt-for-a-stranger.xml', receipt('LNOBODYSENTTHS', 'ENOBODYSENTTHS'));
    // The drops above are this test's own synchronous work; from here on only the service works.
    const probe = LivenessProbe.start(svc.baseUrl!);

    await eventually(async () => (await medcom.status(sent.letterId))?.state === 'acknowledged', 20_000);
    await eventually(() => [...expected.keys()].every((n) => existsSync(path.join(inDir, 'failed', `${n}.reason.txt`))), 20_000);
    await eventually(() => existsSync(path.join(inDir, 'unmatched', 'receipt-for-a-stranger.xml')), 20_000);
    await eventually(() => existsSync(path.join(inDir, 'unmatched', 'large-receipt-for-a-stranger.xml')), 20_000);
    const live = await probe.stop();
    expect(live.failures).toEqual([]);
    expect(live.slowestMs).toBeLessThan(1000);

    for (const [name, code] of expected) {
      const reason = readFileSync(path.join(inDir, 'failed', `${name}.reason.txt`), 'utf8');
      expect(`${name}: ${reason}`).toMatch(new RegExp(`^${name}: \\[${code}\\] \\S`));
      expect(reason.length).toBeLessThan(400);
      expect(existsSync(path.join(inDir, 'failed', name))).toBe(true);
    }
    expect(existsSync(path.join(inDir, 'processed', 'genuine-receipt.xml'))).toBe(true);
    // Nothing lost: every file was settled somewhere; none is left unread or half-claimed.
    expect(readdirSync(inDir, { withFileTypes: true }).filter((d) => d.isFile())).toEqual([]);
    expect(readdirSync(path.join(inDir, '.processing'))).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps the inbox job itself healthy and leaves one audit record per refused file, with its reason', async () => {
    const dead = await svc.app.get(QueueGateway).deadLetters();
    expect(dead.filter((d) => d.name === 'medcom.inbox.poll')).toEqual([]);
    const failed = (await svc.app.get(AuditService).query({ limit: 1000 })).filter(
      (r) => r.action === 'medcom.inbox' && r.outcome === 'failed',
    );
    for (const [name, code] of expected) {
      const rec = failed.find((r) => r.externalIds?.file === name);
      expect(rec?.reason).toMatch(new RegExp(`^\\[${code}\\]`));
    }
    expect(failed).toHaveLength(expected.size);
  });
});
