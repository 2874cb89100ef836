import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MEDCOM_PORT, MedcomPort } from '../../../adapters/medcom/medcom.port';
import { buildFhirAcknowledgement, buildOioReceipt } from '../../../adapters/medcom/sandbox/receipts.builder';
import { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import { REDIS } from '../../../src/config/tokens';
import { Ledger } from '../../../src/ledger/ledger';
import type { RunningService } from '../../../src/main';
import { metricsRegistry } from '../../../src/metrics/metrics';
import { medcomReferenceDir } from '../../support/medcom-fixtures';
import { gpLetter } from '../../support/medcom-letters';
import { eventually, startTestService } from '../../support/test-service';
import { vansSandbox } from '../../support/vans-sandbox-client';
import { hasXmllint, xmllintSchema } from '../../support/xmllint';
import type { Redis } from 'ioredis';

/** Letter ids and envelope ids as they arrived at the VANS sandbox (read from its archive). */
function arrived(svc: RunningService): Array<{ letterId: string; envelopeId: string; bytes: Buffer }> {
  const dir = path.join(svc.config.DATA_DIR, 'medcom', 'vans-sandbox', 'received');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => {
      const bytes = readFileSync(path.join(dir, f));
      const text = bytes.toString('latin1');
      return {
        letterId: /<Letter><Identifier>([^<]+)</.exec(text)?.[1] ?? '',
        envelopeId: /<Envelope>.*?<Identifier>([^<]+)</.exec(text)?.[1] ?? '',
        bytes,
      };
    });
}

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((n, v) => n + Number(v.value), 0);
}

describe('reliable messaging: no receipt → two resends with the same letter id → dead letter', () => {
  let svc: RunningService;
  let medcom: MedcomPort;
  beforeAll(async () => {
    svc = await startTestService('all', {
      MEDCOM_INBOX_POLL_MS: '50',
      MEDCOM_RECEIPT_TIMEOUT_MS: '150',
      SANDBOX_VANS_DROP_RATE: '1',
      SANDBOX_VANS_DELAY_MS: '0',
    });
    medcom = svc.app.get(MEDCOM_PORT);
  });
  afterAll(() => svc.stop());

  it('resends twice with new envelope ids, then gives up and leaves a dead letter for a person', async () => {
    const letter = gpLetter();
    const sent = await medcom.send(letter);
    const gw = svc.app.get(QueueGateway);
    const dl = await eventually(() => gw.deadLetter(`medcom/medcom-timeout-${sent.letterId}-2`), 15_000);
    expect(dl!.reason).toMatch(/^\[MEDCOM_NO_RECEIPT\] no receipt for letter .* after 3 sends \(2 resends/);
    expect(dl!.reason).not.toMatch(/Anna|Jensen|0101401234/);

    const status = await medcom.status(sent.letterId);
    expect(status).toMatchObject({ state: 'gave-up', resends: 2 });
    expect(new Set(status!.envelopeIds)).toHaveProperty('size', 3);

    const stats = await vansSandbox(svc.config.SANDBOX_VANS_PORT!).stats();
    expect(stats.envelopesPerLetter[sent.letterId]).toBe(3);
    expect(stats.receiptsDropped).toBe(3);
    const files = arrived(svc).filter((f) => f.letterId === sent.letterId);
    expect(files.map((f) => f.envelopeId).sort()).toEqual([...status!.envelopeIds!].sort());

    // The dead-letter audit record is written by the worker's failure hook, just after the job failed.
    const actions = await eventually(async () => {
      const a = (await svc.app.get(AuditService).query({ noteId: letter.noteId })).map((r) => r.action);
      return a.includes('dead-letter') ? a : null;
    });
    expect(actions).toEqual(['medcom.send', 'medcom.resend', 'medcom.resend', 'medcom.gave-up', 'dead-letter']);
    expect(await counter('tsm_medcom_letters_total', { event: 'gave_up' })).toBeGreaterThanOrEqual(1);

    const ref = medcomReferenceDir();
    if (ref && hasXmllint()) {
      for (const f of files) expect(xmllintSchema(path.join(ref, 'xsd', '2006', '07', '01', 'EMessage.xsd'), f.bytes)).toBe('');
    } else console.log('official-schema check of resent letters skipped: ../shared/medcom or xmllint missing');
  });
});

describe('receipt watchdog: a timeout job lost after the hand-over', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startTestService('all', {
      MEDCOM_INBOX_POLL_MS: '50',
      MEDCOM_RECEIPT_TIMEOUT_MS: '1000',
      MEDCOM_RECEIPT_WATCHDOG_MS: '1000',
      MEDCOM_MAX_RESENDS: '1',
      SANDBOX_VANS_DROP_RATE: '1',
      SANDBOX_VANS_DELAY_MS: '0',
    });
  });
  afterAll(() => svc.stop());

  it('is armed again, so the letter is resent and then given up for a person instead of waiting forever', async () => {
    const medcom = svc.app.get<MedcomPort>(MEDCOM_PORT);
    const gw = svc.app.get(QueueGateway);
    const before = await counter('tsm_medcom_letters_total', { event: 'timeout_rearmed' });
    const sent = await medcom.send(gpLetter());
    // What Redis going away between the hand-over and the enqueue leaves behind: a letter without its timeout.
    await (await gw.queue('medcom').getJob(`medcom-timeout-${sent.letterId}-0`))!.remove();

    const dl = await eventually(() => gw.deadLetter(`medcom/medcom-timeout-${sent.letterId}-1`), 20_000);
    expect(dl!.reason).toMatch(/^\[MEDCOM_NO_RECEIPT\] no receipt for letter .* after 2 sends/);
    expect(await medcom.status(sent.letterId)).toMatchObject({ state: 'gave-up', resends: 1 });
    expect(await counter('tsm_medcom_letters_total', { event: 'timeout_rearmed' })).toBe(before + 1);
  });
});

describe('receipts: negative, duplicate, garbage, envelope-only, transient', () => {
  let svc: RunningService;
  let medcom: MedcomPort;
  let vans: ReturnType<typeof vansSandbox>;
  beforeAll(async () => {
    svc = await startTestService('all', { MEDCOM_INBOX_POLL_MS: '50', MEDCOM_RECEIPT_TIMEOUT_MS: '600000', SANDBOX_VANS_DELAY_MS: '0' });
    medcom = svc.app.get(MEDCOM_PORT);
    vans = vansSandbox(svc.config.SANDBOX_VANS_PORT!);
  });
  afterAll(() => svc.stop());
  afterEach(() => vans.setFaults({ negativeRate: 0, vansNegativeRate: 0, duplicateRate: 0, garbageRate: 0, dropRate: 0 }));
  const inDir = () => svc.config.MEDCOM_IN_DIR!;
  const folder = (name: string) =>
    existsSync(path.join(inDir(), name)) ? readdirSync(path.join(inDir(), name)).filter((f) => !f.endsWith('.reason.txt')) : [];

  it('a negative receipt rejects the letter: dead letter with the RefuseCode, metric and audit', async () => {
    await vans.setFaults({ negativeRate: 1 });
    const before = await counter('tsm_medcom_receipts_total', { type: 'XCTL02', outcome: 'applied' });
    const letter = gpLetter();
    const sent = await medcom.send(letter);
    const gw = svc.app.get(QueueGateway);
    const dl = await eventually(() => gw.deadLetter(`medcom/medcom-rejected-${sent.letterId}`));
    expect(dl!.reason).toMatch(
      /^\[MEDCOM_REJECTED\] letter \S+ \(note \d+\) refused by XCTL02 receipt, ikke_specificeret: The receiver refused/,
    );
    expect(await medcom.status(sent.letterId)).toMatchObject({
      state: 'rejected',
      refuseCode: 'ikke_specificeret',
      receiptType: 'XCTL02',
      resends: 0,
    });
    expect(await counter('tsm_medcom_receipts_total', { type: 'XCTL02', outcome: 'applied' })).toBe(before + 1);
    const audit = await svc.app.get(AuditService).query({ noteId: letter.noteId });
    expect(audit.find((a) => a.action === 'medcom.receipt')).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining('XCTL02 ikke_specificeret'),
    });
  });

  it('an XCTL01 VANS receipt answers too, also when it names only the envelope', async () => {
    await vans.setFaults({ dropRate: 1 });
    const sent = await medcom.send(gpLetter());
    writeFileSync(
      path.join(inDir(), 'xctl01-envelope-only.xml'),
      buildOioReceipt({
        type: 'XCTL01',
        envelopeId: 'KVANS000000001',
        letterId: 'QVANS000000001',
        sentAt: new Date(),
        senderEan: '5790001234567',
        receiverEan: '5790000123456',
        originalEnvelopeId: sent.envelopeId,
        letters: [],
        refuseCode: 'ukendt_lokationsnummer',
        refuseText: 'Lokationsnummer ukendt',
      }),
    );
    await eventually(async () => (await medcom.status(sent.letterId))?.state === 'rejected');
    expect(await medcom.status(sent.letterId)).toMatchObject({
      refuseCode: 'ukendt_lokationsnummer',
      refuseText: 'Lokationsnummer ukendt',
      receiptType: 'XCTL01',
    });
  });

  it('duplicate receipts are applied once', async () => {
    await vans.setFaults({ duplicateRate: 1 });
    const before = await counter('tsm_medcom_receipts_total', { type: 'XCTL03', outcome: 'duplicate' });
    const letter = gpLetter();
    const sent = await medcom.send(letter);
    await eventually(async () => (await counter('tsm_medcom_receipts_total', { type: 'XCTL03', outcome: 'duplicate' })) === before + 1);
    expect(await medcom.status(sent.letterId)).toMatchObject({ state: 'acknowledged' });
    const receipts = (await svc.app.get(AuditService).query({ noteId: letter.noteId })).filter((a) => a.action === 'medcom.receipt');
    expect(receipts).toHaveLength(1);
  });

  it('garbage in the in-folder is filed under failed/ with a reason; real receipts still work', async () => {
    await vans.setFaults({ garbageRate: 1 });
    const failedBefore = folder('failed').length;
    const sent = await medcom.send(gpLetter());
    await eventually(async () => (await medcom.status(sent.letterId))?.state === 'acknowledged' && folder('failed').length > failedBefore);
    const reasons = readdirSync(path.join(inDir(), 'failed')).filter((f) => f.endsWith('.reason.txt'));
    expect(readFileSync(path.join(inDir(), 'failed', reasons[0]), 'utf8')).toMatch(/^\[RECEIPT_[A-Z_]+\] /);
  });

  it('a FHIR transient-error acknowledgement resends at once under the same letter id (MR5), not after the 10-minute timeout', async () => {
    await vans.setFaults({ dropRate: 1 });
    const letter = gpLetter({ format: 'fhir-json' });
    const sent = await medcom.send(letter);
    const transient = (name: string) =>
      writeFileSync(
        path.join(inDir(), name),
        buildFhirAcknowledgement({
          bundleId: '5b1c3a0e-0000-4000-8000-000000000001',
          headerId: '5b1c3a0e-0000-4000-8000-000000000002',
          sentAt: new Date(),
          acknowledgedHeaderId: sent.letterId,
          code: 'transient-error',
          issueText: 'database busy',
          format: 'fhir-json',
          from: { ean: '5790001234567', sor: '123451000016001', name: 'GP' },
          to: { ean: '5790000123456', sor: '123456789012345', name: 'Kommune' },
        }),
      );
    transient('transient.json');
    const audit = svc.app.get(AuditService);
    // The resend is audited once its file is handed over (the attempt is claimed just before).
    const lines = (await eventually(async () => {
      const l = await audit.query({ noteId: letter.noteId });
      return l.some((a) => a.action === 'medcom.resend') ? l : null;
    }))!;
    expect(lines.find((a) => a.action === 'medcom.receipt' && a.outcome === 'skipped')?.reason).toMatch(
      /transient-error from the receiver; the letter is resent now/,
    );
    const status = await medcom.status(sent.letterId);
    expect(status).toMatchObject({ state: 'sent', resends: 1 });
    expect(new Set(status!.envelopeIds).size).toBe(2);
    // The same acknowledgement again (a duplicate) answers the same attempt: no second resend for it.
    transient('transient-again.json');
    await eventually(() => folder('processed').some((f) => f.startsWith('transient-again')));
    expect((await medcom.status(sent.letterId))?.resends).toBe(1);
  });

  it('a receipt for an unknown letter is filed under unmatched/', async () => {
    const before = folder('unmatched').length;
    writeFileSync(
      path.join(inDir(), 'stranger.xml'),
      buildOioReceipt({
        type: 'XCTL03',
        envelopeId: 'KSTRANGER00001',
        letterId: 'QSTRANGER00001',
        sentAt: new Date(),
        senderEan: '5790001234567',
        receiverEan: '5790000123456',
        originalEnvelopeId: 'ENOTOURS000001',
        letters: [{ letterId: 'LNOTOURS000001', versionCode: 'XD9134L' }],
      }),
    );
    await eventually(() => folder('unmatched').length === before + 1);
  });
});

describe('exactly one letter id per note version, whatever crashes happen', () => {
  let svc: RunningService;
  let medcom: MedcomPort;
  beforeAll(async () => {
    svc = await startTestService('all', { MEDCOM_INBOX_POLL_MS: '50', MEDCOM_RECEIPT_TIMEOUT_MS: '600000', SANDBOX_VANS_DELAY_MS: '0' });
    medcom = svc.app.get(MEDCOM_PORT);
  });
  afterAll(() => svc.stop());

  it('sending the same note version again reuses the letter and sends nothing', async () => {
    const letter = gpLetter();
    const first = await medcom.send(letter);
    const again = await medcom.send(letter);
    expect(again).toMatchObject({ letterId: first.letterId, envelopeId: first.envelopeId, reused: true });
    await eventually(async () => (await medcom.status(first.letterId))?.state === 'acknowledged');
    expect(arrived(svc).filter((f) => f.letterId === first.letterId)).toHaveLength(1);
  });

  it('a crash after the hand-over but before the ledger completed is reconciled, not resent', async () => {
    const letter = gpLetter();
    const first = await medcom.send(letter);
    const redis = svc.app.get<Redis>(REDIS);
    await redis.hset(`${svc.config.QUEUE_PREFIX}:ledger:${letter.idempotencyKey}`, 'state', 'pending'); // as if the process died before complete()
    const again = await medcom.send(letter);
    expect(again).toMatchObject({ letterId: first.letterId, reused: true });
    expect((await svc.app.get(Ledger).get(letter.idempotencyKey))?.state).toBe('done');
    await eventually(async () => (await medcom.status(first.letterId))?.state === 'acknowledged');
    expect(arrived(svc).filter((f) => f.letterId === first.letterId)).toHaveLength(1);
  });

  it('a crash after the ledger entry was written but before the hand-over sends under the persisted letter id', async () => {
    const letter = gpLetter();
    await svc.app.get(Ledger).begin(letter.idempotencyKey, 'medcom.letter', { letterId: 'LPERSISTED0001', format: 'xdis91' });
    const sent = await medcom.send(letter);
    expect(sent.letterId).toBe('LPERSISTED0001');
    await eventually(async () => (await medcom.status('LPERSISTED0001'))?.state === 'acknowledged');
    expect(arrived(svc).map((f) => f.letterId)).toContain('LPERSISTED0001');
  });

  it('an invalid letter is refused before anything is recorded or sent', async () => {
    const letter = gpLetter({ text: 'x'.repeat(25_000) });
    await expect(medcom.send(letter)).rejects.toMatchObject({ code: 'TEXT_TOO_LONG' });
    expect(await svc.app.get(Ledger).get(letter.idempotencyKey)).toBeNull();
  });
});
