import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { medcomSettings } from '../../../adapters/medcom/medcom.settings';
import { messageComposer } from '../../../adapters/medcom/message.composer';
import { parsePickupHours, receiptDueAt } from '../../../adapters/medcom/pickup-hours';
import type { ParsedReceipt } from '../../../adapters/medcom/receipt.parser';
import type { MedcomTransport, OutboundMessage } from '../../../adapters/medcom/transport/medcom.transport';
import type { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import { ManualClock } from '../../../src/common/clock';
import { PermanentError } from '../../../src/common/errors';
import { Ledger } from '../../../src/ledger/ledger';
import { ReceiptInbox } from '../../../src/workflows/medcom-letters/medcom-letters.inbox';
import { MedcomService, PICKUP_CHECK_MS } from '../../../src/workflows/medcom-letters/medcom-letters.service';
import { LetterStore } from '../../../src/workflows/medcom-letters/medcom-letters.store';
import { gpLetter } from '../../support/medcom-letters';
import { testConfig } from '../../support/test-service';

const MIN = 60_000;

describe('receiptDueAt: the receipt clock runs only inside the VANS pickup hours (Europe/Copenhagen)', () => {
  const w = parsePickupHours('05-23');
  const due = (from: string, minutes: number, window = w) => receiptDueAt(new Date(from), minutes * MIN, window).toISOString();

  it('inside the hours: the plain timeout', () => {
    expect(due('2026-12-03T12:00:00+01:00', 15)).toBe(new Date('2026-12-03T12:15:00+01:00').toISOString());
    // Without MEDCOM_VANS_PICKUP_HOURS the clock always runs.
    expect(receiptDueAt(new Date('2026-12-03T23:10:00+01:00'), 15 * MIN).toISOString()).toBe(
      new Date('2026-12-03T23:25:00+01:00').toISOString(),
    );
  });

  it('a letter written at 23:10 is due at 05:15; one at 22:50 runs 10 minutes before 23:00 and 5 after 05:00', () => {
    expect(due('2026-12-03T23:10:00+01:00', 15)).toBe(new Date('2026-12-04T05:15:00+01:00').toISOString());
    expect(due('2026-12-03T22:50:00+01:00', 15)).toBe(new Date('2026-12-04T05:05:00+01:00').toISOString());
    expect(due('2026-12-04T02:00:00+01:00', 15)).toBe(new Date('2026-12-04T05:15:00+01:00').toISOString());
    // 120 minutes (converted receivers) across the night.
    expect(due('2026-12-03T22:00:00+01:00', 120)).toBe(new Date('2026-12-04T06:00:00+01:00').toISOString());
  });

  it('windows across midnight and the daylight-saving change', () => {
    expect(due('2026-12-03T07:00:00+01:00', 15, parsePickupHours('22-06'))).toBe(new Date('2026-12-03T22:15:00+01:00').toISOString());
    expect(due('2026-12-03T05:50:00+01:00', 15, parsePickupHours('22-06'))).toBe(new Date('2026-12-03T22:05:00+01:00').toISOString());
    // The night summer time begins (2026-03-29): 05:00 is already +02:00.
    expect(due('2026-03-28T23:30:00+01:00', 15)).toBe(new Date('2026-03-29T05:15:00+02:00').toISOString());
    expect(() => parsePickupHours('05-05')).toThrow();
  });
});

describe('MedcomService: the receipt clock (pickup hours, pickup from the out-folder) and transient-error', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const dirs: string[] = [];
  afterAll(async () => {
    await redis.quit();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function setup(env: Record<string, string>, start: string) {
    const config = testConfig({ MEDCOM_MAX_RESENDS: '2', ...env });
    const settings = medcomSettings(config);
    const clock = new ManualClock(start);
    const sent: OutboundMessage[] = [];
    const waiting = new Set<string>();
    const transport: MedcomTransport = {
      send: async (m) => {
        sent.push(m);
        const name = `${m.envelopeId}.${m.extension}`;
        waiting.add(name);
        return { name };
      },
      claimIncoming: async () => [],
      settle: async () => undefined,
      awaitingPickup: async (name) => waiting.has(name),
    };
    const enqueued: Array<{ name: string; payload: Record<string, unknown>; jobId?: string; delayMs?: number }> = [];
    const jobs = new Set<string>();
    const queue = {
      enqueue: async (name: string, payload: Record<string, unknown>, opts: { jobId?: string; delayMs?: number }) => {
        enqueued.push({ name, payload, ...opts });
        jobs.add(opts.jobId!);
        return opts.jobId;
      },
      jobState: async (_q: string, id: string) => (jobs.has(id) ? 'delayed' : 'unknown'),
    } as unknown as QueueGateway;
    const store = new LetterStore(redis, config.QUEUE_PREFIX);
    const auditDir = mkdtempSync(path.join(os.tmpdir(), 'medcom-clock-audit-'));
    dirs.push(auditDir, config.DATA_DIR);
    const audit = new AuditService(redis, auditDir, config.QUEUE_PREFIX);
    const service = new MedcomService(
      settings,
      store,
      messageComposer(settings),
      transport,
      new Ledger(redis, config.QUEUE_PREFIX),
      audit,
      queue,
      clock,
    );
    const inbox = new ReceiptInbox(store, transport, audit, queue);
    /** The VANS client takes every file waiting in the out-folder. */
    const pickUp = () => waiting.clear();
    return { service, store, inbox, audit, clock, sent, enqueued, jobs, pickUp };
  }

  it('a letter written at 23:10 with MEDCOM_VANS_PICKUP_HOURS=05-23 is not resent overnight: its timeout is due 05:15', async () => {
    const t = setup({ MEDCOM_VANS_PICKUP_HOURS: '05-23', MEDCOM_RECEIPT_TIMEOUT_MIN: '15' }, '2026-12-03T23:10:00+01:00');
    const { letterId } = await t.service.send(gpLetter());
    expect(t.enqueued).toEqual([expect.objectContaining({ jobId: `medcom-timeout-${letterId}-0`, delayMs: (6 * 60 + 5) * MIN })]);
    // At 01:00 and 04:59 the watchdog finds nothing overdue, even if the timeout job were lost.
    t.jobs.clear();
    for (const at of ['2026-12-04T01:00:00+01:00', '2026-12-04T05:14:00+01:00']) {
      t.clock.set(at);
      await expect(t.service.rearmMissingTimeouts(t.clock.now())).resolves.toMatchObject({ rearmed: 0 });
    }
    expect(t.sent).toHaveLength(1);
    // 05:15, the file was taken at 05:00 and no receipt came: now the resend.
    t.clock.set('2026-12-04T05:15:00+01:00');
    t.pickUp();
    await expect(t.service.rearmMissingTimeouts(t.clock.now())).resolves.toMatchObject({ rearmed: 1 });
    await expect(t.service.onReceiptTimeout(letterId, 0)).resolves.toEqual({ outcome: 'resent-1' });
    expect(t.sent).toHaveLength(2);
  });

  it('the receipt clock starts when the VANS client has taken the file: no resend while it is still in the out-folder', async () => {
    const t = setup({ MEDCOM_RECEIPT_TIMEOUT_MIN: '15' }, '2026-12-03T23:10:00+01:00');
    const { letterId } = await t.service.send(gpLetter({ format: 'fhir-xml' }));
    t.enqueued.length = 0;
    // The timeout fires at 23:25, the file is still there: look again, send nothing.
    t.clock.advance(15 * MIN);
    await expect(t.service.onReceiptTimeout(letterId, 0)).resolves.toEqual({ outcome: 'awaiting-pickup' });
    expect(t.enqueued).toEqual([
      expect.objectContaining({
        jobId: `medcom-timeout-${letterId}-0-w1`,
        delayMs: Math.min(15 * MIN, PICKUP_CHECK_MS),
        payload: expect.objectContaining({ waits: 1 }),
      }),
    ]);
    t.clock.advance(PICKUP_CHECK_MS);
    await expect(t.service.onReceiptTimeout(letterId, 0, { waits: 1 })).resolves.toEqual({ outcome: 'awaiting-pickup' });
    // Taken at last: the clock starts now, a full timeout from here.
    t.pickUp();
    t.clock.advance(PICKUP_CHECK_MS);
    t.enqueued.length = 0;
    await expect(t.service.onReceiptTimeout(letterId, 0, { waits: 2 })).resolves.toEqual({ outcome: 'picked-up' });
    expect(t.enqueued).toEqual([expect.objectContaining({ jobId: `medcom-timeout-${letterId}-0-p`, delayMs: 15 * MIN })]);
    expect(t.sent).toHaveLength(1);
    // The watchdog checks the job that now looks after the receipt, not the finished first one;
    // when that one is lost, it is that one that is armed again.
    t.jobs.delete(`medcom-timeout-${letterId}-0`);
    t.clock.advance(15 * MIN);
    await expect(t.service.rearmMissingTimeouts(t.clock.now())).resolves.toMatchObject({ rearmed: 0 });
    t.jobs.delete(`medcom-timeout-${letterId}-0-p`);
    t.enqueued.length = 0;
    await expect(t.service.rearmMissingTimeouts(t.clock.now())).resolves.toMatchObject({ rearmed: 1 });
    expect(t.enqueued).toEqual([expect.objectContaining({ jobId: `medcom-timeout-${letterId}-0-p`, delayMs: 0 })]);
    await expect(t.service.onReceiptTimeout(letterId, 0)).resolves.toEqual({ outcome: 'resent-1' });
    expect(t.sent).toHaveLength(2);
  });

  it('transient-error → resent at once under the same letter id, counted against the 2 resends; a repeated acknowledgement sends nothing', async () => {
    const t = setup({ MEDCOM_RECEIPT_TIMEOUT_MIN: '15' }, '2026-12-03T10:00:00+01:00');
    const letter = gpLetter({ format: 'fhir-json' });
    const { letterId } = await t.service.send(letter);
    const transient = (receiptId: string): ParsedReceipt => ({
      kind: 'receipt',
      receiptType: 'fhir-ack',
      format: 'fhir-json',
      outcome: 'transient',
      receiptId,
      senderEan: letter.receiver.ean,
      letters: [{ letterId }],
      ackCode: 'transient-error',
      refuseText: 'database busy',
    });
    for (const [i, receiptId] of ['ack-1', 'ack-2', 'ack-3'].entries()) {
      t.enqueued.length = 0;
      await expect(t.inbox.apply(transient(receiptId))).resolves.toEqual({ outcome: 'applied' });
      expect(t.enqueued).toEqual([
        {
          name: 'medcom.receipt-timeout',
          payload: expect.objectContaining({ letterId, attempt: i, transient: true }),
          jobId: `medcom-transient-${letterId}-${i}`,
          delayMs: 0,
        },
      ]);
      // The same acknowledgement read again changes nothing.
      await expect(t.inbox.apply(transient(receiptId))).resolves.toEqual({ outcome: 'duplicate' });
      if (i < 2) {
        await expect(t.service.onReceiptTimeout(letterId, i, { transient: true })).resolves.toEqual({ outcome: `resent-${i + 1}` });
      } else {
        const err = await t.service.onReceiptTimeout(letterId, i, { transient: true }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PermanentError);
        expect(err).toMatchObject({
          code: 'MEDCOM_NO_RECEIPT',
          message: expect.stringMatching(/^no positive receipt \(the receiver answered transient-error\) for letter/),
        });
      }
    }
    expect(t.sent).toHaveLength(3);
    expect(new Set(t.sent.map((m) => m.envelopeId)).size).toBe(3);
    // The first timeout, firing later, finds a later attempt: nothing more.
    await expect(t.service.onReceiptTimeout(letterId, 0)).rejects.toMatchObject({ code: 'MEDCOM_NO_RECEIPT' });
    expect(t.sent).toHaveLength(3);
    expect(await t.service.status(letterId)).toMatchObject({ state: 'gave-up', resends: 2 });
  });

  it('a Greek patient name goes as FHIR when the practice takes it; an XDIS91-only practice: NAME_NOT_REPRESENTABLE, nothing sent, audited', async () => {
    const t = setup({}, '2026-12-03T10:00:00+01:00');
    const patient = { cpr: '0101401234', givenName: 'Ζωή', surname: 'Παπαδοπούλου' };
    const fhir = await t.service.send(gpLetter({ patient, receiver: { ...gpLetter().receiver, formats: ['xdis91', 'fhir-xml'] } }));
    expect(fhir.format).toBe('fhir-xml');
    expect(t.sent[0].bytes.toString('utf8')).toContain('Παπαδοπούλου');

    const refused = gpLetter({ patient });
    const err = await t.service.send(refused).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({
      code: 'NAME_NOT_REPRESENTABLE',
      message: expect.stringMatching(/^Patientens navn indeholder tegn, som XDIS91/),
    });
    expect((err as Error).message).not.toMatch(/Ζωή|Παπα|0101401234/);
    expect(t.sent).toHaveLength(1);
    const lines = await t.audit.query({ noteId: refused.noteId });
    expect(lines).toEqual([
      expect.objectContaining({ action: 'medcom.send', outcome: 'failed', reason: expect.stringMatching(/^\[NAME_NOT_REPRESENTABLE\]/) }),
    ]);
  });
});
