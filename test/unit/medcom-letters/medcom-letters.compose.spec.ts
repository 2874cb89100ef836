import Redis from 'ioredis';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GpMessageFormat } from '../../../adapters/directory/directory.port';
import { envelopeIdFor, letterIdFor } from '../../../adapters/medcom/letter-identity';
import { medcomSettings } from '../../../adapters/medcom/medcom.settings';
import { LetterComposer, messageComposer } from '../../../adapters/medcom/message.composer';
import type { OutgoingLetter } from '../../../adapters/medcom/outgoing-letter';
import type { OutboundMessage } from '../../../adapters/medcom/transport/medcom.transport';
import type { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import { PermanentError } from '../../../src/common/errors';
import { Ledger } from '../../../src/ledger/ledger';
import { MedcomService } from '../../../src/workflows/medcom-letters/medcom-letters.service';
import { LetterStore } from '../../../src/workflows/medcom-letters/medcom-letters.store';
import { gpLetter, recordingTransport } from '../../support/medcom-letters';
import { testConfig } from '../../support/test-service';

/**
 * Issue 20: a letter was built and checked twice on its first send – once by send()'s check before
 * the ledger entry, once more for the hand-over – and both on the event loop. Now the first hand-over
 * sends the checked message when it was composed from exactly the attempt's inputs (anything else is
 * composed afresh), and in the service composing runs on CpuWork's threads.
 */
const config = testConfig({ MEDCOM_MAX_RESENDS: '2' });
const settings = medcomSettings(config);
const redis = new Redis(process.env.TEST_REDIS_URL!);
afterAll(() => redis.quit());

function harness(composer: LetterComposer) {
  const sent: OutboundMessage[] = [];
  const transport = recordingTransport(sent);
  const queue = { enqueue: async (_n: string, _p: unknown, o: { jobId?: string }) => o.jobId } as unknown as QueueGateway;
  const store = new LetterStore(redis, config.QUEUE_PREFIX);
  const ledger = new Ledger(redis, config.QUEUE_PREFIX);
  const audit = new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'medcom-compose-audit-')), config.QUEUE_PREFIX);
  const service = new MedcomService(settings, store, composer, transport, ledger, audit, queue);
  return { service, store, ledger, sent };
}

/** The in-place composer, counting its calls: which letter id, envelope id and attempt each was for. */
function countingComposer() {
  const inPlace = messageComposer(settings);
  const calls: Array<Pick<OutgoingLetter, 'letterId' | 'envelopeId' | 'attempt'>> = [];
  const composer: LetterComposer = {
    compose: (format, letter) => {
      calls.push({ letterId: letter.letterId, envelopeId: letter.envelopeId, attempt: letter.attempt });
      return inPlace.compose(format, letter);
    },
  };
  return { composer, calls, inPlace };
}

/** What a compose of the attempt gives now, from what the store holds (the letter, its envelope, its content). */
async function freshCompose(store: LetterStore, letterId: string, attempt: number): Promise<Buffer> {
  const rec = (await store.get(letterId))!;
  const env = rec.envelopes.find((e) => e.attempt === attempt)!;
  const body = (await store.body(letterId))!;
  const m = await messageComposer(settings).compose(rec.format, {
    letterId,
    envelopeId: env.envelopeId,
    attempt,
    sentAt: new Date(env.sentAt),
    authorisedAt: new Date(rec.authorisedAt),
    sender: settings.sender,
    author: settings.author,
    ...body,
  });
  return m.bytes;
}

describe('MedcomService composes a letter once on its first send', () => {
  it.each<GpMessageFormat>(['xdis91', 'fhir-xml', 'fhir-json'])(
    '%s: one compose; the bytes handed over are what a fresh compose of the stored inputs gives',
    async (format) => {
      const { composer, calls } = countingComposer();
      const h = harness(composer);
      const { letterId, envelopeId } = await h.service.send(gpLetter({ format }));
      expect(calls).toEqual([{ letterId, envelopeId, attempt: 0 }]);
      expect(h.sent).toHaveLength(1);
      expect(h.sent[0].bytes.equals(await freshCompose(h.store, letterId, 0))).toBe(true);
      // One time for the letter and its first attempt: the check's.
      const rec = (await h.store.get(letterId))!;
      expect(rec.envelopes[0].sentAt).toBe(rec.authorisedAt);
    },
  );

  it('a resend composes afresh: new envelope id, the same letter id, the bytes of a fresh compose', async () => {
    const { composer, calls } = countingComposer();
    const h = harness(composer);
    const { letterId } = await h.service.send(gpLetter());
    await expect(h.service.onReceiptTimeout(letterId, 0)).resolves.toEqual({ outcome: 'resent-1' });
    const rec = (await h.store.get(letterId))!;
    expect(calls).toEqual([
      { letterId, envelopeId: rec.envelopes[0].envelopeId, attempt: 0 },
      { letterId, envelopeId: rec.envelopes[1].envelopeId, attempt: 1 },
    ]);
    expect(rec.envelopes[1].envelopeId).not.toBe(rec.envelopes[0].envelopeId);
    expect(h.sent[1].bytes.equals(await freshCompose(h.store, letterId, 1))).toBe(true);
  });

  it('a letter begun earlier under another id is composed afresh under that id', async () => {
    const { composer, calls } = countingComposer();
    const h = harness(composer);
    const letter = gpLetter();
    const candidate = letterIdFor(settings.letterIds(), letter.idempotencyKey, 'xdis91');
    await h.ledger.begin(letter.idempotencyKey, 'medcom.letter', { letterId: 'LPERSISTED0002', format: 'xdis91' });
    const sent = await h.service.send(letter);
    expect(sent.letterId).toBe('LPERSISTED0002');
    expect(calls.map((c) => c.letterId)).toEqual([candidate, 'LPERSISTED0002']);
    expect(h.sent[0].bytes.equals(await freshCompose(h.store, 'LPERSISTED0002', 0))).toBe(true);
  });

  it('a first attempt claimed before a crash, at another time, is composed afresh with the claimed time', async () => {
    const { composer, calls } = countingComposer();
    const h = harness(composer);
    const letter = gpLetter();
    const letterId = letterIdFor(settings.letterIds(), letter.idempotencyKey, 'xdis91');
    const earlier = new Date(Date.now() - 60_000);
    // What the crashed attempt left: the ledger entry, the letter with its content, the claimed first envelope.
    await h.ledger.begin(letter.idempotencyKey, 'medcom.letter', { letterId, format: 'xdis91' });
    await h.store.create(
      {
        letterId,
        ledgerKey: letter.idempotencyKey,
        noteId: letter.noteId,
        noteVersion: letter.noteVersion,
        kind: letter.kind,
        format: 'xdis91',
        receiverYdernummer: letter.receiver.ydernummer,
        receiverEan: letter.receiver.ean,
        converted: false,
        authorisedAt: earlier.toISOString(),
      },
      { patient: letter.patient, receiver: letter.receiver, subject: letter.subject, text: letter.text },
    );
    await h.store.claimAttempt(letterId, 0, envelopeIdFor(letterId, 0, 'xdis91'), earlier);

    await h.service.send(letter);
    expect(calls).toEqual([
      { letterId, envelopeId: envelopeIdFor(letterId, 0, 'xdis91'), attempt: 0 },
      { letterId, envelopeId: envelopeIdFor(letterId, 0, 'xdis91'), attempt: 0 },
    ]);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0].sentAt).toEqual(earlier);
    expect(h.sent[0].bytes.equals(await freshCompose(h.store, letterId, 0))).toBe(true);
  });
});

describe('an invalid letter', () => {
  it('fails with its code before any ledger entry or hand-over', async () => {
    const h = harness(messageComposer(settings));
    const letter = gpLetter({ text: 'x'.repeat(25_000) });
    const err = await h.service.send(letter).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'TEXT_TOO_LONG', system: 'medcom', message: expect.stringContaining('too long for XDIS91') });
    expect(await h.ledger.get(letter.idempotencyKey)).toBeNull();
    expect(h.sent).toEqual([]);
  });
});
