import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../audit/audit.service';
import { CLOCK, Clock, systemClock } from '../../common/clock';
import { PermanentError } from '../../common/errors';
import { Ledger, LedgerEntry } from '../../ledger/ledger';
import { rootLogger } from '../../logging/logger';
import { medcomLetters } from '../../metrics/metrics';
import type { GpMessageFormat } from '../../../adapters/directory/directory.port';
import { chooseFormat } from '../../../adapters/medcom/format-choice';
import { envelopeIdFor, letterIdFor } from '../../../adapters/medcom/letter-identity';
import { receiptDueAt } from '../../../adapters/medcom/pickup-hours';
import { LETTER_COMPOSER } from './medcom-letters.composer';
import { asStoredBody, LetterBody, LetterRecord, LetterStore } from './medcom-letters.store';
import { MEDCOM_SETTINGS } from '../../../adapters/medcom/medcom.tokens';
import type { GpLetter, LetterStatus, MedcomPort, SentLetter } from '../../../adapters/medcom/medcom.port';
import type { MedcomSettings } from '../../../adapters/medcom/medcom.settings';
import type { ComposedMessage, LetterComposer } from '../../../adapters/medcom/message.composer';
import type { OutgoingLetter } from '../../../adapters/medcom/outgoing-letter';
import { MEDCOM_TRANSPORT, MedcomTransport } from '../../../adapters/medcom/transport/medcom.transport';

/**
 * Sends letters to GPs over VANS and keeps MedCom's reliable-messaging promise:
 * - one letter id per idempotency key, forever: the id is derived from the key and persisted in the
 *   ledger entry before anything is handed over (Ledger.runOnce);
 * - every attempt is claimed in Redis (envelope id + time) before its file is written, so a crash
 *   and retry repeats the same envelope rather than inventing a new one;
 * - no receipt within the timeout → resend with a new envelope id and timestamps but the same letter
 *   id, at most MEDCOM_MAX_RESENDS times; then the letter is given up and dead-lettered for a person.
 * Receipts are applied by ReceiptInbox.
 */
@Injectable()
export class MedcomService implements MedcomPort {
  private readonly log: Logger = rootLogger().child({ component: 'medcom' });

  constructor(
    @Inject(MEDCOM_SETTINGS) private readonly settings: MedcomSettings,
    private readonly store: LetterStore,
    /** Builds and checks letters (LETTER_COMPOSER): the adapter's MessageComposer. */
    @Inject(LETTER_COMPOSER) private readonly composer: LetterComposer,
    @Inject(MEDCOM_TRANSPORT) private readonly transport: MedcomTransport,
    @Inject(Ledger) private readonly ledger: Ledger,
    @Inject(AuditService) private readonly audit: AuditService,
    private readonly queue: QueueGateway,
    /** The service's clock: attempt times and when receipts are due (tests use a ManualClock). */
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock(),
  ) {}

  async send(letter: GpLetter): Promise<SentLetter> {
    // One read serves both questions asked before runOnce: the format begun with, and whether it is done.
    const begun = await this.ledger.get(letter.idempotencyKey);
    const format = await this.formatFor(letter, begun);
    const candidateId = letterIdFor(this.settings.letterIds(), letter.idempotencyKey, format);
    let checked: CheckedLetter | undefined;
    if (begun?.state !== 'done') {
      // Refuse a letter that cannot be valid before anything is recorded or handed over. The message
      // is kept (in memory, for this call): the first hand-over sends it unless its inputs differ.
      const now = this.clock.now();
      const input = this.outgoing(candidateId, envelopeIdFor(candidateId, 0, format), 0, now, now, asStoredBody(toBody(letter)));
      checked = { format, input, message: await this.composer.compose(format, input) };
    }

    const result = await this.ledger.runOnce(
      letter.idempotencyKey,
      'medcom.letter',
      {
        perform: async (entry) => {
          await this.startLetter(entry.meta.letterId, entry.meta.format as GpMessageFormat, letter, checked);
          return entry.meta.letterId;
        },
        // An earlier attempt began: if its first envelope was handed over, the letter exists.
        reconcile: async (entry) => (((await this.store.get(entry.meta.letterId))?.written ?? -1) >= 0 ? entry.meta.letterId : null),
      },
      { letterId: candidateId, format, noteId: String(letter.noteId), noteVersion: String(letter.noteVersion) },
    );
    const rec = await this.store.get(result.externalId);
    if (!rec)
      throw new PermanentError(
        `letter ${result.externalId} is in the ledger but its state is gone from Redis`,
        'MEDCOM_LETTER_UNKNOWN',
        'medcom',
      );
    if (result.outcome !== 'performed') {
      // The attempt that began this letter may have died between the hand-over and arming its timeout.
      await this.ensureTimeoutArmed(rec);
      await this.audit.record({
        action: 'medcom.send',
        system: 'medcom',
        outcome: 'reused',
        noteId: letter.noteId,
        ledgerKey: letter.idempotencyKey,
        externalIds: { letterId: rec.letterId },
      });
    }
    return {
      letterId: rec.letterId,
      envelopeId: rec.envelopes[rec.envelopes.length - 1]?.envelopeId ?? envelopeIdFor(rec.letterId, 0, rec.format),
      format: rec.format,
      state: rec.state,
      reused: result.outcome !== 'performed',
    };
  }

  /**
   * The receiver's format; a patient name XDIS91 cannot carry goes as FHIR, or – XDIS91-only
   * receiver – is refused with NAME_NOT_REPRESENTABLE before anything is recorded: the job fails
   * permanently (the dead letter carries the code and the Danish text) and the audit says why.
   * A letter already begun keeps the format it was begun in (the ledger has it).
   */
  private async formatFor(letter: GpLetter, entry: LedgerEntry | null): Promise<GpMessageFormat> {
    const begun = entry?.meta?.format;
    if (begun) return begun as GpMessageFormat;
    try {
      return chooseFormat(letter.receiver, letter.patient);
    } catch (err) {
      if (err instanceof PermanentError && err.code === 'NAME_NOT_REPRESENTABLE') {
        await this.audit.record({
          action: 'medcom.send',
          system: 'medcom',
          outcome: 'failed',
          noteId: letter.noteId,
          ledgerKey: letter.idempotencyKey,
          reason: `[NAME_NOT_REPRESENTABLE] the patient's name has characters outside ISO-8859-1 and GP practice ${letter.receiver.ydernummer} accepts only XDIS91: not sent`,
          externalIds: { ydernummer: letter.receiver.ydernummer },
        });
        this.log.warn(
          { noteId: letter.noteId, ydernummer: letter.receiver.ydernummer, code: err.code },
          'letter not sent: patient name not representable in XDIS91',
        );
      }
      throw err;
    }
  }

  async status(letterId: string): Promise<LetterStatus | null> {
    const rec = await this.store.get(letterId);
    if (!rec) return null;
    return {
      state: rec.state,
      resends: Math.max(0, rec.attempt),
      format: rec.format,
      envelopeIds: rec.envelopes.map((e) => e.envelopeId),
      ...(rec.refuseCode ? { refuseCode: rec.refuseCode } : {}),
      ...(rec.refuseText ? { refuseText: rec.refuseText } : {}),
      ...(rec.receiptType ? { receiptType: rec.receiptType } : {}),
    };
  }

  /**
   * The receipt timeout of one attempt. Nothing to do once a receipt settled the letter or a later
   * attempt exists. While the attempt's file still waits in the out-folder (the VANS client has not
   * taken it: it picks up on a schedule), the receipt clock has not started: look again later,
   * resend nothing. Otherwise resend, or give up after the last resend (a PermanentError, so the job
   * lands in the dead letters with the reason for a person to follow up). `transient`: the receiver
   * answered transient-error, so resend now (counted against MEDCOM_MAX_RESENDS).
   */
  async onReceiptTimeout(
    letterId: string,
    attempt: number,
    opts: { waits?: number; transient?: boolean } = {},
  ): Promise<{ outcome: string }> {
    const rec = await this.store.get(letterId);
    if (!rec) throw new PermanentError(`letter ${letterId} is unknown (its state is gone from Redis)`, 'MEDCOM_LETTER_UNKNOWN', 'medcom');
    if (rec.state === 'acknowledged' || rec.state === 'rejected') return { outcome: rec.state };
    if (rec.state === 'gave-up') throw this.noReceipt(rec);
    if (rec.attempt > attempt) {
      if (rec.written < rec.attempt)
        await this.dispatch(rec, rec.attempt); // a resend claimed but not written (crash)
      else await this.ensureTimeoutArmed(rec); // a resend written, its timeout not armed (crash, or Redis gone between the two)
      return { outcome: 'superseded' };
    }
    if (!opts.transient && rec.written === attempt) {
      const waiting = await this.waitForPickup(rec, attempt, opts.waits ?? 0);
      if (waiting) return { outcome: waiting };
    }
    if (attempt < this.settings.maxResends) {
      // A receipt may settle the letter while the resend is being prepared: then nothing is sent.
      return { outcome: (await this.dispatch(rec, attempt + 1)) ? `resent-${attempt + 1}` : 'settled' };
    }
    const moved = await this.store.transition(letterId, ['sent'], 'gave-up', { gaveUpAt: this.clock.now().toISOString() });
    if (moved === 'moved') {
      medcomLetters.inc({ event: 'gave_up', format: rec.format });
      await this.audit.record({
        action: 'medcom.gave-up',
        system: 'medcom',
        outcome: 'failed',
        noteId: rec.noteId,
        ledgerKey: rec.ledgerKey,
        externalIds: { letterId, envelopes: rec.envelopes.map((e) => e.envelopeId).join(',') },
        reason: rec.transientAt
          ? 'no positive receipt after the last resend (the receiver answered transient-error)'
          : 'no receipt after the last resend',
      });
      this.log.warn({ letterId, noteId: rec.noteId, sends: rec.envelopes.length }, 'no receipt after the last resend: letter given up');
    } else if ((await this.store.get(letterId))?.state !== 'gave-up') {
      return { outcome: 'settled' }; // a receipt arrived just now
    }
    throw this.noReceipt(rec);
  }

  /**
   * The receipt clock starts when the VANS client has taken the file. Still in the out-folder: look
   * again after a while ('awaiting-pickup'). Gone on a later look: it left since the last one, so the
   * clock starts now ('picked-up', a fresh timeout). Null when the clock is running (resend due).
   */
  private async waitForPickup(rec: LetterRecord, attempt: number, waits: number): Promise<string | null> {
    if (!rec.file || !this.transport.awaitingPickup) return null;
    const now = this.clock.now();
    if (await this.transport.awaitingPickup(rec.file)) {
      const checkMs = Math.min(this.settings.receiptTimeoutMs(rec.converted), PICKUP_CHECK_MS);
      const jobId = `${timeoutJobId(rec.letterId, attempt)}-w${waits + 1}`;
      await this.store.timeoutMovedTo(rec.letterId, jobId, new Date(now.getTime() + checkMs));
      await this.queue.enqueue(
        'medcom.receipt-timeout',
        { letterId: rec.letterId, attempt, noteId: rec.noteId, waits: waits + 1 },
        { jobId, delayMs: checkMs },
      );
      medcomLetters.inc({ event: 'awaiting_pickup', format: rec.format });
      this.log.warn(
        { letterId: rec.letterId, noteId: rec.noteId, attempt, waits: waits + 1 },
        'the VANS client has not taken the letter from the out-folder yet: receipt clock not started',
      );
      return 'awaiting-pickup';
    }
    if (waits === 0) return null;
    const due = this.receiptDue(rec, now);
    const jobId = `${timeoutJobId(rec.letterId, attempt)}-p`;
    await this.store.timeoutMovedTo(rec.letterId, jobId, due);
    await this.queue.enqueue(
      'medcom.receipt-timeout',
      { letterId: rec.letterId, attempt, noteId: rec.noteId },
      { jobId, delayMs: Math.max(0, due.getTime() - now.getTime()) },
    );
    this.log.info({ letterId: rec.letterId, noteId: rec.noteId, attempt }, 'the VANS client took the letter: receipt clock started');
    return 'picked-up';
  }

  private noReceipt(rec: LetterRecord): PermanentError {
    const ms = this.settings.receiptTimeoutMs(rec.converted);
    const wait = ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 100) / 10} s`;
    const what = rec.transientAt ? 'no positive receipt (the receiver answered transient-error)' : 'no receipt';
    return new PermanentError(
      `${what} for letter ${rec.letterId} (note ${rec.noteId}) after ${rec.envelopes.length} sends (${this.settings.maxResends} resends, ` +
        `${wait} each): a person must follow up with GP practice ${rec.receiverYdernummer}`,
      'MEDCOM_NO_RECEIPT',
      'medcom',
    );
  }

  /** `checked`: the letter send() composed to check it; its time becomes the letter's and the first attempt's. */
  private async startLetter(letterId: string, format: GpMessageFormat, letter: GpLetter, checked?: CheckedLetter): Promise<void> {
    await this.store.create(
      {
        letterId,
        ledgerKey: letter.idempotencyKey,
        noteId: letter.noteId,
        noteVersion: letter.noteVersion,
        kind: letter.kind,
        format,
        receiverYdernummer: letter.receiver.ydernummer,
        receiverEan: letter.receiver.ean,
        converted: !!letter.receiver.converted,
        authorisedAt: (checked?.input.authorisedAt ?? this.clock.now()).toISOString(),
      },
      toBody(letter),
    );
    const rec = await this.store.get(letterId);
    if (rec && rec.state === 'sent' && rec.written < 0) await this.dispatch(rec, 0, checked);
  }

  /**
   * Claims the attempt, writes its file, records it and arms its receipt timeout. False when the
   * letter was settled by a receipt meanwhile (nothing to send). The first attempt sends `checked`
   * (send()'s own compose) when it was composed from exactly this attempt's inputs – the same bytes a
   * compose now would give – and composes afresh otherwise (a letter begun earlier under another id
   * or time, a claim left by a crash, a resend).
   */
  private async dispatch(rec: LetterRecord, attempt: number, checked?: CheckedLetter): Promise<boolean> {
    const reusable = attempt === 0 ? checked : undefined;
    const env = await this.store.claimAttempt(
      rec.letterId,
      attempt,
      envelopeIdFor(rec.letterId, attempt, rec.format),
      reusable?.input.sentAt ?? this.clock.now(),
    );
    if (!env) return false; // a receipt or another worker moved the letter on
    if (((await this.store.get(rec.letterId))?.written ?? -1) >= attempt) {
      await this.armTimeout(rec, attempt); // handed over before a crash: only the timeout may be missing
      return true;
    }
    const body = await this.store.body(rec.letterId);
    if (!body) {
      // A receipt that arrived after the claim settles the letter and drops its content (found by the chaos run).
      if ((await this.store.get(rec.letterId))?.state !== 'sent') return false;
      throw new PermanentError(
        `the content of letter ${rec.letterId} is no longer stored; it cannot be resent`,
        'MEDCOM_CONTENT_GONE',
        'medcom',
      );
    }
    const sentAt = new Date(env.sentAt);
    const input = this.outgoing(rec.letterId, env.envelopeId, attempt, sentAt, new Date(rec.authorisedAt), body);
    const message =
      reusable && composedFrom(reusable, rec.format, input) ? reusable.message : await this.composer.compose(rec.format, input);
    const { name } = await this.transport.send({ envelopeId: env.envelopeId, bytes: message.bytes, extension: message.extension, sentAt });
    const writtenAt = this.clock.now();
    const due = this.receiptDue(rec, writtenAt);
    await this.store.markWritten(rec.letterId, attempt, due, name);
    await this.armTimeout(rec, attempt, Math.max(0, due.getTime() - writtenAt.getTime()));
    medcomLetters.inc({ event: attempt ? 'resent' : 'sent', format: rec.format });
    await this.audit.record({
      action: attempt ? 'medcom.resend' : 'medcom.send',
      system: 'medcom',
      outcome: 'ok',
      noteId: rec.noteId,
      ledgerKey: rec.ledgerKey,
      externalIds: {
        letterId: rec.letterId,
        envelopeId: env.envelopeId,
        file: name,
        format: rec.format,
        ydernummer: rec.receiverYdernummer,
      },
      ...(textChanges(message) ? { reason: textChanges(message) } : {}),
    });
    this.log.info(
      { letterId: rec.letterId, envelopeId: env.envelopeId, attempt, format: rec.format, noteId: rec.noteId },
      attempt ? 'letter resent' : 'letter sent',
    );
    return true;
  }

  /**
   * The watchdog behind the receipt timeouts: a letter whose current attempt was handed over longer
   * than its timeout ago, still without a receipt, must have a timeout job. One is missing only when
   * the job could not be written after the hand-over (a crash, Redis gone) and no retry came by to arm
   * it; without this the letter would wait for its receipt forever. Such a letter gets its timeout
   * now, due at once.
   */
  async rearmMissingTimeouts(now = this.clock.now(), limit = 500): Promise<{ checked: number; rearmed: number }> {
    const overdue = await this.store.overdueForReceipt(now, limit);
    let rearmed = 0;
    for (const letterId of overdue) {
      const rec = await this.store.get(letterId);
      if (!rec || rec.state !== 'sent') {
        await this.store.forgetAwaiting(letterId);
        continue;
      }
      // While a resend is claimed but unwritten, the timeout that claimed it is the one to finish it.
      const attempt = Math.min(rec.written, rec.attempt);
      const jobId = rec.written === rec.attempt && rec.timeoutJob ? rec.timeoutJob : timeoutJobId(letterId, attempt);
      if (attempt < 0 || (await this.queue.jobState('medcom', jobId)) !== 'unknown') continue;
      if (jobId === timeoutJobId(letterId, attempt)) await this.armTimeout(rec, attempt, 0);
      else {
        // The job that took over (a pickup check or a transient-error resend) is the one missing: that one again, due now.
        const waits = /-w(\d+)$/.exec(jobId)?.[1];
        await this.queue.enqueue(
          'medcom.receipt-timeout',
          {
            letterId,
            attempt,
            noteId: rec.noteId,
            ...(waits ? { waits: Number(waits) } : {}),
            ...(jobId.startsWith('medcom-transient-') ? { transient: true } : {}),
          },
          { jobId, delayMs: 0 },
        );
      }
      rearmed++;
      medcomLetters.inc({ event: 'timeout_rearmed', format: rec.format });
      this.log.warn({ letterId, noteId: rec.noteId, attempt }, 'receipt timeout was missing: armed again, due now');
    }
    return { checked: overdue.length, rearmed };
  }

  private async ensureTimeoutArmed(rec: LetterRecord): Promise<void> {
    if (rec.state === 'sent' && rec.written >= 0 && rec.written === rec.attempt) await this.armTimeout(rec, rec.attempt);
  }

  /** When the receipt of an attempt written at `from` is due: the timeout, run only inside MEDCOM_VANS_PICKUP_HOURS. */
  private receiptDue(rec: Pick<LetterRecord, 'converted'>, from: Date): Date {
    return receiptDueAt(from, this.settings.receiptTimeoutMs(rec.converted), this.settings.pickupWindow);
  }

  /** One delayed job per letter and attempt; enqueueing it again is a no-op (same job id). */
  private async armTimeout(rec: LetterRecord, attempt: number, delayMs?: number): Promise<void> {
    if (delayMs === undefined) {
      const now = this.clock.now();
      delayMs = Math.max(0, this.receiptDue(rec, now).getTime() - now.getTime());
    }
    await this.queue.enqueue(
      'medcom.receipt-timeout',
      { letterId: rec.letterId, attempt, noteId: rec.noteId },
      { jobId: timeoutJobId(rec.letterId, attempt), delayMs },
    );
  }

  private outgoing(
    letterId: string,
    envelopeId: string,
    attempt: number,
    sentAt: Date,
    authorisedAt: Date,
    body: LetterBody,
  ): OutgoingLetter {
    return { letterId, envelopeId, attempt, sentAt, authorisedAt, sender: this.settings.sender, author: this.settings.author, ...body };
  }
}

/** A letter send() composed to check it, with what it was composed from. */
interface CheckedLetter {
  format: GpMessageFormat;
  input: OutgoingLetter;
  message: ComposedMessage;
}

/**
 * Whether `checked` was composed from exactly `input`: the body on both sides is JSON as stored
 * (asStoredBody, LetterStore.body), the times are whole milliseconds, so equal JSON is equal input.
 */
function composedFrom(checked: CheckedLetter, format: GpMessageFormat, input: OutgoingLetter): boolean {
  return checked.format === format && JSON.stringify(checked.input) === JSON.stringify(input);
}

const timeoutJobId = (letterId: string, attempt: number) => `medcom-timeout-${letterId}-${attempt}`;
/** How often a file the VANS client has not taken yet is looked at again (at most; a shorter receipt timeout wins). */
export const PICKUP_CHECK_MS = 5 * 60_000;

function toBody(letter: GpLetter): LetterBody {
  return { patient: letter.patient, receiver: letter.receiver, subject: letter.subject, text: letter.text };
}

/** What the sanitiser and the Latin-1 mapping changed, for the audit: counts and code points, never text. */
function textChanges(m: ComposedMessage): string {
  return [
    m.replacedChars ? `${m.replacedChars} characters outside ISO-8859-1 sent as '?' (${m.replacedList.join(', ')})` : '',
    m.transliteratedList.length ? `letters outside ISO-8859-1 transliterated (${m.transliteratedList.join(', ')})` : '',
    m.lineBreaks ? `${m.lineBreaks} control characters sent as line breaks` : '',
    m.removedControls ? `${m.removedControls} control characters removed` : '',
  ]
    .filter(Boolean)
    .join('; ');
}
