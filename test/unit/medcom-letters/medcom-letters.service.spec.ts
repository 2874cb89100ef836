import Redis from 'ioredis';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LetterStore } from '../../../src/workflows/medcom-letters/medcom-letters.store';
import { MedcomService } from '../../../src/workflows/medcom-letters/medcom-letters.service';
import { medcomSettings } from '../../../adapters/medcom/medcom.settings';
import { messageComposer } from '../../../adapters/medcom/message.composer';
import { parseInbound, ParsedMessage } from '../../../adapters/medcom/receipt.parser';
import type { MedcomTransport, OutboundMessage } from '../../../adapters/medcom/transport/medcom.transport';
import type { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import { PermanentError } from '../../../src/common/errors';
import { Ledger } from '../../../src/ledger/ledger';
import { gpLetter, recordingTransport } from '../../support/medcom-letters';
import { testConfig } from '../../support/test-service';

/** The real service on real Redis, with the given transport and queue. */
function medcomService(
  config: ReturnType<typeof testConfig>,
  redis: Redis,
  transport: MedcomTransport,
  queue: QueueGateway,
  settings = medcomSettings(config),
) {
  const store = new LetterStore(redis, config.QUEUE_PREFIX);
  const service = new MedcomService(
    settings,
    store,
    messageComposer(settings),
    transport,
    new Ledger(redis, config.QUEUE_PREFIX),
    new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'audit-')), config.QUEUE_PREFIX),
    queue,
  );
  return { service, store };
}

/**
 * The resend state machine driven by hand: each receipt timeout is invoked directly (no clocks,
 * no waiting), against real Redis, with a transport and a queue that only record what they get.
 */
describe('MedcomService reliable messaging', () => {
  const config = testConfig({ MEDCOM_MAX_RESENDS: '2' });
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const sent: OutboundMessage[] = [];
  const enqueued: Array<{ name: string; payload: unknown; jobId?: string; delayMs?: number }> = [];
  const transport = recordingTransport(sent);
  // Job ids that exist in the queue; `redisDown` makes the next enqueue fail as a producer does when Redis is gone.
  const jobs = new Set<string>();
  let redisDown = 0;
  const queue = {
    enqueue: async (name: string, payload: unknown, opts: { jobId?: string; delayMs?: number }) => {
      if (redisDown > 0 && redisDown--) throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
      enqueued.push({ name, payload, ...opts });
      jobs.add(opts.jobId!);
      return opts.jobId;
    },
    jobState: async (_queue: string, jobId: string) => (jobs.has(jobId) ? 'delayed' : 'unknown'),
  } as unknown as QueueGateway;
  const { service, store } = medcomService(config, redis, transport, queue);
  const ids = (m: OutboundMessage) => parseInbound(m.bytes) as ParsedMessage;

  beforeEach(() => {
    sent.length = 0;
    enqueued.length = 0;
    redisDown = 0;
  });
  afterAll(() => redis.quit());

  it('first send, two resends on timeout with new envelope ids and the same letter id, then gives up', async () => {
    const { letterId } = await service.send(gpLetter());
    expect(enqueued).toEqual([
      {
        name: 'medcom.receipt-timeout',
        payload: expect.objectContaining({ letterId, attempt: 0 }),
        jobId: `medcom-timeout-${letterId}-0`,
        delayMs: 15 * 60_000,
      },
    ]);

    await expect(service.onReceiptTimeout(letterId, 0)).resolves.toEqual({ outcome: 'resent-1' });
    await expect(service.onReceiptTimeout(letterId, 1)).resolves.toEqual({ outcome: 'resent-2' });
    const giveUp = await service.onReceiptTimeout(letterId, 2).catch((e: unknown) => e);
    expect(giveUp).toBeInstanceOf(PermanentError);
    expect(giveUp).toMatchObject({ code: 'MEDCOM_NO_RECEIPT' });

    expect(sent.map((m) => ids(m).letterIds)).toEqual([[letterId], [letterId], [letterId]]);
    expect(new Set(sent.map((m) => ids(m).envelopeId)).size).toBe(3);
    expect(enqueued.map((e) => e.jobId)).toEqual([0, 1, 2].map((a) => `medcom-timeout-${letterId}-${a}`));
    expect(await service.status(letterId)).toMatchObject({ state: 'gave-up', resends: 2 });
    // A repeated run of the last timeout (e.g. an operator retry) sends nothing more.
    await expect(service.onReceiptTimeout(letterId, 2)).rejects.toMatchObject({ code: 'MEDCOM_NO_RECEIPT' });
    expect(sent).toHaveLength(3);
  });

  it('a late timeout of an earlier attempt changes nothing; a timeout after the receipt changes nothing', async () => {
    const { letterId } = await service.send(gpLetter());
    await service.onReceiptTimeout(letterId, 0);
    await expect(service.onReceiptTimeout(letterId, 0)).resolves.toEqual({ outcome: 'superseded' });
    expect(sent).toHaveLength(2);
    await store.transition(letterId, ['sent'], 'acknowledged');
    await expect(service.onReceiptTimeout(letterId, 1)).resolves.toEqual({ outcome: 'acknowledged' });
    expect(sent).toHaveLength(2);
  });

  it('a resend claimed before a crash is written by the retried timeout, under the claimed envelope id', async () => {
    const { letterId } = await service.send(gpLetter({ format: 'fhir-xml' }));
    const claimed = await store.claimAttempt(letterId, 1, 'crash-claimed-envelope-id', new Date());
    expect(claimed?.envelopeId).toBe('crash-claimed-envelope-id');
    await expect(service.onReceiptTimeout(letterId, 0)).resolves.toEqual({ outcome: 'superseded' });
    expect(sent.map((m) => ids(m).envelopeId)).toEqual([expect.any(String), 'crash-claimed-envelope-id']);
    expect((await store.get(letterId))?.written).toBe(1);
  });

  it('a timeout lost between the hand-over and arming it is armed by the retried send, which sends nothing again', async () => {
    redisDown = 1;
    const letter = gpLetter();
    await expect(service.send(letter)).rejects.toThrow(/enableOfflineQueue/);
    expect(sent).toHaveLength(1);
    expect(enqueued).toEqual([]);

    const { letterId, reused } = await service.send(letter);
    expect(reused).toBe(true);
    expect(sent).toHaveLength(1);
    expect(enqueued).toEqual([
      {
        name: 'medcom.receipt-timeout',
        payload: expect.objectContaining({ letterId, attempt: 0 }),
        jobId: `medcom-timeout-${letterId}-0`,
        delayMs: 15 * 60_000,
      },
    ]);
  });

  it('a resend whose timeout was lost is armed by the retried timeout job, without a second resend', async () => {
    const { letterId } = await service.send(gpLetter());
    redisDown = 1;
    await expect(service.onReceiptTimeout(letterId, 0)).rejects.toThrow(/enableOfflineQueue/);
    expect(sent).toHaveLength(2);

    await expect(service.onReceiptTimeout(letterId, 0)).resolves.toEqual({ outcome: 'superseded' });
    expect(sent).toHaveLength(2);
    expect(enqueued.map((e) => e.jobId)).toEqual([`medcom-timeout-${letterId}-0`, `medcom-timeout-${letterId}-1`]);
  });

  it('respects MEDCOM_MAX_RESENDS and the converted-receiver timeout', async () => {
    const strict = medcomSettings(
      testConfig({ MEDCOM_MAX_RESENDS: '0', MEDCOM_RECEIPT_TIMEOUT_MIN: '30', MEDCOM_CONVERTED_RECEIPT_TIMEOUT_MIN: '120' }),
    );
    expect(strict.receiptTimeoutMs(false)).toBe(30 * 60_000);
    expect(strict.receiptTimeoutMs(true)).toBe(120 * 60_000);
    const { service: s0 } = medcomService(config, redis, transport, queue, strict);
    const letter = gpLetter();
    letter.receiver = { ...letter.receiver, converted: true };
    const { letterId } = await s0.send(letter);
    expect(enqueued[0].delayMs).toBe(120 * 60_000);
    await expect(s0.onReceiptTimeout(letterId, 0)).rejects.toMatchObject({ code: 'MEDCOM_NO_RECEIPT' });
    expect(sent).toHaveLength(1);
  });
});

describe('MedcomService receipt watchdog', () => {
  const config = testConfig({ MEDCOM_RECEIPT_TIMEOUT_MIN: '30', MEDCOM_CONVERTED_RECEIPT_TIMEOUT_MIN: '120' });
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const enqueued: Array<{ jobId: string; delayMs?: number }> = [];
  const existing = new Set<string>();
  const transport: MedcomTransport = {
    send: async (m) => ({ name: m.envelopeId }),
    claimIncoming: async () => [],
    settle: async () => undefined,
  };
  // The queue loses every timeout it is given (as if Redis went away just after each hand-over) unless told to keep it.
  let keep = false;
  const queue = {
    enqueue: async (_name: string, _payload: unknown, opts: { jobId: string; delayMs?: number }) => {
      enqueued.push(opts);
      if (keep) existing.add(opts.jobId);
      return opts.jobId;
    },
    jobState: async (_queue: string, jobId: string) => (existing.has(jobId) ? 'delayed' : 'unknown'),
  } as unknown as QueueGateway;
  const { service, store } = medcomService(config, redis, transport, queue);
  const minutes = (n: number) => new Date(Date.now() + n * 60_000);
  afterAll(() => redis.quit());

  it('arms a missing timeout, due at once, only once the letter is overdue and only when the job is really missing', async () => {
    const lost = await service.send(gpLetter());
    const converted = gpLetter();
    converted.receiver = { ...converted.receiver, converted: true };
    const slow = await service.send(converted);
    keep = true;
    const armed = await service.send(gpLetter());
    const answered = await service.send(gpLetter());
    // A receipt that arrived before the hand-over was recorded: the letter is indexed as awaiting after it settled.
    await store.transition(answered.letterId, ['sent'], 'acknowledged');
    await store.markWritten(answered.letterId, 0, minutes(30));
    enqueued.length = 0;

    // Not overdue yet: nothing to do.
    await expect(service.rearmMissingTimeouts(minutes(29))).resolves.toEqual({ checked: 0, rearmed: 0 });
    // Overdue after 30 min: the lost one is armed due now; the armed one is left alone; the acknowledged one is
    // forgotten; the converted receiver's 120 min are not up yet.
    await expect(service.rearmMissingTimeouts(minutes(31))).resolves.toEqual({ checked: 3, rearmed: 1 });
    expect(enqueued).toEqual([expect.objectContaining({ jobId: `medcom-timeout-${lost.letterId}-0`, delayMs: 0 })]);
    await expect(service.rearmMissingTimeouts(minutes(31))).resolves.toEqual({ checked: 2, rearmed: 0 });

    await expect(service.rearmMissingTimeouts(minutes(121))).resolves.toEqual({ checked: 3, rearmed: 1 });
    expect(enqueued.map((e) => e.jobId)).toEqual([`medcom-timeout-${lost.letterId}-0`, `medcom-timeout-${slow.letterId}-0`]);
    expect(armed.letterId).not.toBe(lost.letterId);
  });

  it('lets a letter that reached a final state drop out of the watch', async () => {
    const { letterId } = await service.send(gpLetter());
    await store.transition(letterId, ['sent'], 'rejected', { refuseCode: 'x' });
    expect(await store.overdueForReceipt(minutes(200), 1000)).not.toContain(letterId);
  });
});
