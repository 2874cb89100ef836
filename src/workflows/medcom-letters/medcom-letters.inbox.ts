import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../audit/audit.service';
import { PermanentError } from '../../common/errors';
import { rootLogger } from '../../logging/logger';
import { redactFreeText } from '../../logging/redact';
import { medcomLetters, medcomReceipts, medcomReceiptsUnmatched } from '../../metrics/metrics';
import { INBOUND_READER, InboundReader, inboundReader } from './medcom-letters.inbound-reader';
import { LetterRecord, LetterStore } from './medcom-letters.store';
import { ParsedReceipt, ReceiptLetter } from '../../../adapters/medcom/receipt.parser';
import { InboundItem, MEDCOM_TRANSPORT, MedcomTransport } from '../../../adapters/medcom/transport/medcom.transport';

export interface InboxResult {
  files: number;
  applied: number;
  duplicates: number;
  unmatched: number;
  failed: number;
}

type Applied = 'applied' | 'duplicate' | 'unmatched';

/** Why a receipt was not applied: the code goes to the reason file, the audit and the metric. */
export type UnmatchedCode = 'RECEIPT_UNKNOWN_LETTER' | 'RECEIPT_ENVELOPE_NOT_SENT' | 'RECEIPT_SENDER_MISMATCH';

export interface ApplyResult {
  outcome: Applied;
  unmatched?: { code: UnmatchedCode; reason: string; letter?: LetterRecord };
}

/**
 * Applies receipts from the VANS in-folder to the letters they answer, matched by original letter
 * id (OIOXML OriginalLetterIdentifier, FHIR response.identifier = MessageHeader.id) or, when a
 * receipt names only the envelope (XCTL02/XCTL01 may), by original envelope id. Positive →
 * acknowledged; negative → rejected, surfaced as a dead letter with the refusal, a metric and an
 * audit record; a repeated receipt changes nothing. Every file ends in processed/, failed/ or
 * unmatched/ – none is lost.
 *
 * Matching is strict, since a receipt settles a letter for good (an acknowledged letter is never
 * resent): an OIOXML receipt counts only if its OriginalEnvelopeIdentifier is an envelope this
 * service sent for every letter it names (any attempt), and every receipt only if it comes from the
 * letter's receiver (its EAN/GLN; an XCTL01 from VANS may instead name the receiver as
 * OriginalReceiver). Anything else goes to unmatched/ with an audit line and a metric, and changes
 * no letter – not even the ones it names correctly.
 */
@Injectable()
export class ReceiptInbox {
  private readonly log: Logger = rootLogger().child({ component: 'medcom-inbox' });

  constructor(
    private readonly store: LetterStore,
    @Inject(MEDCOM_TRANSPORT) private readonly transport: MedcomTransport,
    @Inject(AuditService) private readonly audit: AuditService,
    private readonly queue: QueueGateway,
    /** Size limit and where parsing runs (a worker thread in the service; see medcom-letters.inbound-reader.ts). */
    @Optional() @Inject(INBOUND_READER) private readonly read: InboundReader = inboundReader(),
  ) {}

  async poll(limit = 100): Promise<InboxResult> {
    const result: InboxResult = { files: 0, applied: 0, duplicates: 0, unmatched: 0, failed: 0 };
    for (const item of await this.transport.claimIncoming(limit)) {
      result.files++;
      const outcome = await this.handle(item);
      if (outcome === 'failed') result.failed++;
      else if (outcome === 'duplicate') result.duplicates++;
      else if (outcome === 'unmatched') result.unmatched++;
      else result.applied++;
    }
    return result;
  }

  private async handle(item: InboundItem): Promise<Applied | 'failed'> {
    let parsed;
    try {
      if (item.refused) throw new PermanentError(item.refused.message, item.refused.code, 'medcom');
      parsed = await this.read(item.bytes);
    } catch (err) {
      if (!(err instanceof PermanentError)) throw err;
      // A parser's message can quote the file (a name, a CPR): reason files and the audit get it redacted.
      const reason = `[${err.code}] ${redactFreeText(err.message)}`;
      medcomReceipts.inc({ type: 'malformed', outcome: 'failed' });
      await this.transport.settle(item, 'failed', reason);
      await this.audit.record({
        action: 'medcom.inbox',
        system: 'medcom',
        outcome: 'failed',
        reason,
        externalIds: { file: redactFreeText(item.id) },
      });
      this.log.warn({ file: redactFreeText(item.id), code: err.code }, 'unreadable file in the VANS in-folder moved to failed/');
      return 'failed';
    }
    if (parsed.kind === 'message') {
      const reason = `incoming ${parsed.messageType} message (envelope ${parsed.envelopeId}) is not handled by tsm-bridge`;
      medcomReceipts.inc({ type: 'message', outcome: 'unmatched' });
      await this.transport.settle(item, 'unmatched', reason);
      await this.audit.record({
        action: 'medcom.inbox',
        system: 'medcom',
        outcome: 'skipped',
        reason,
        externalIds: { file: redactFreeText(item.id) },
      });
      return 'unmatched';
    }
    const { outcome, unmatched } = await this.apply(parsed);
    medcomReceipts.inc({ type: receiptLabel(parsed), outcome });
    if (unmatched) {
      const reason = `[${unmatched.code}] ${parsed.receiptType} receipt ${parsed.receiptId}: ${redactFreeText(unmatched.reason)}`;
      const rec = unmatched.letter;
      medcomReceiptsUnmatched.inc({ type: receiptLabel(parsed), code: unmatched.code });
      await this.transport.settle(item, 'unmatched', reason);
      await this.audit.record({
        action: 'medcom.receipt',
        system: 'medcom',
        outcome: 'skipped',
        reason,
        ...(rec ? { noteId: rec.noteId, ledgerKey: rec.ledgerKey } : {}),
        externalIds: {
          receipt: parsed.receiptId,
          receiptType: parsed.receiptType,
          ...(rec ? { letterId: rec.letterId } : {}),
          ...(parsed.originalEnvelopeId ? { envelopeId: parsed.originalEnvelopeId } : {}),
        },
      });
      this.log.warn(
        { receipt: parsed.receiptId, receiptType: parsed.receiptType, code: unmatched.code, ...(rec ? { letterId: rec.letterId } : {}) },
        'receipt not applied: moved to unmatched/',
      );
      return 'unmatched';
    }
    await this.transport.settle(item, 'processed');
    return outcome;
  }

  /**
   * Applies one parsed receipt if it matches (see the class comment); 'applied' if any letter
   * changed, 'duplicate' if all were settled already.
   */
  async apply(receipt: ParsedReceipt): Promise<ApplyResult> {
    let targets: ReceiptLetter[] = receipt.letters;
    if (!targets.length && receipt.originalEnvelopeId) {
      const letterId = await this.store.letterForEnvelope(receipt.originalEnvelopeId);
      if (!letterId) return unmatched('RECEIPT_ENVELOPE_NOT_SENT', 'its original envelope is not one this service sent');
      targets = [{ letterId }];
    }
    if (!targets.length) return unmatched('RECEIPT_UNKNOWN_LETTER', 'it names no letter');
    const matched: Array<{ rec: LetterRecord; target: ReceiptLetter }> = [];
    // All or nothing: one letter that does not match makes the whole receipt suspect.
    for (const target of targets) {
      const rec = await this.store.get(target.letterId);
      if (!rec) return unmatched('RECEIPT_UNKNOWN_LETTER', 'it answers no letter known here');
      const problem = await this.mismatch(receipt, rec);
      if (problem) return { outcome: 'unmatched', unmatched: { ...problem, letter: rec } };
      matched.push({ rec, target });
    }
    const outcomes = await Promise.all(matched.map(({ rec, target }) => this.applyToLetter(receipt, rec, target)));
    return { outcome: outcomes.includes('applied') ? 'applied' : 'duplicate' };
  }

  /** Why this receipt may not settle this letter, or null when it may. */
  private async mismatch(receipt: ParsedReceipt, rec: LetterRecord): Promise<{ code: UnmatchedCode; reason: string } | null> {
    if (receipt.format === 'oioxml' && !rec.envelopes.some((e) => e.envelopeId === receipt.originalEnvelopeId)) {
      return { code: 'RECEIPT_ENVELOPE_NOT_SENT', reason: `its original envelope was not sent for letter ${rec.letterId}` };
    }
    // Letters stored before the receiver's EAN was kept: the content (kept while the letter may be resent) has it.
    const receiverEan = rec.receiverEan || (await this.store.body(rec.letterId))?.receiver.ean || '';
    const fromReceiver =
      !!receiverEan &&
      (receipt.senderEan === receiverEan || (receipt.receiptType === 'XCTL01' && receipt.originalReceiverEan === receiverEan));
    if (!fromReceiver) return { code: 'RECEIPT_SENDER_MISMATCH', reason: `its sender is not the receiver of letter ${rec.letterId}` };
    return null;
  }

  /**
   * MedCom MR5: a transient-error acknowledgement → resend, now rather than when the receipt timeout
   * expires, under the same letter id and counted against MEDCOM_MAX_RESENDS (the timeout job of the
   * attempt, due at once: it resends, or gives up after the last resend). One per attempt (job id),
   * however often the acknowledgement is repeated.
   */
  private async resendAfterTransientError(rec: LetterRecord): Promise<boolean> {
    if (rec.state !== 'sent' || rec.written < 0 || rec.written !== rec.attempt) return false;
    const now = new Date();
    const jobId = `medcom-transient-${rec.letterId}-${rec.written}`;
    await this.store.timeoutMovedTo(rec.letterId, jobId, now, { transientAt: now.toISOString() });
    await this.queue.enqueue(
      'medcom.receipt-timeout',
      { letterId: rec.letterId, attempt: rec.written, noteId: rec.noteId, transient: true },
      { jobId, delayMs: 0 },
    );
    return true;
  }

  private async applyToLetter(receipt: ParsedReceipt, rec: LetterRecord, target: ReceiptLetter): Promise<Applied> {
    const refuseCode = target.refuseCode ?? receipt.refuseCode ?? (receipt.outcome === 'negative' ? 'ikke_specificeret' : undefined);
    const refuseText = target.refuseText ?? receipt.refuseText;
    const base = {
      system: 'medcom' as const,
      noteId: rec.noteId,
      ledgerKey: rec.ledgerKey,
      externalIds: {
        letterId: rec.letterId,
        receipt: receipt.receiptId,
        receiptType: receipt.receiptType,
        ...(receipt.originalEnvelopeId ? { envelopeId: receipt.originalEnvelopeId } : {}),
      },
    };

    if (receipt.outcome === 'transient') {
      // The same acknowledgement read again (its Bundle.id) answers an attempt already resent.
      if (!(await this.store.firstTransient(rec.letterId, receipt.receiptId))) return 'duplicate';
      const resend = await this.resendAfterTransientError(rec);
      await this.audit.record({
        ...base,
        action: 'medcom.receipt',
        outcome: 'skipped',
        reason: `transient-error from the receiver; ${resend ? 'the letter is resent now (same letter id, counted as a resend)' : 'the letter is no longer waiting for this receipt'}${refuseText ? `: ${redactFreeText(refuseText)}` : ''}`,
      });
      return 'applied';
    }
    // The audit line of the receipt that settled the letter is written once per letter (recordOnce);
    // it is also written when this receipt was applied before, since that reading may have died
    // between the state change and the audit (the file is only settled at the end).
    const auditKey = `medcom.receipt:${rec.letterId}`;
    if (receipt.outcome === 'positive') {
      const moved = await this.store.transition(rec.letterId, ['sent', 'gave-up'], 'acknowledged', {
        receiptType: receipt.receiptType,
        acknowledgedAt: new Date().toISOString(),
      });
      if (moved !== 'moved' && rec.state !== 'acknowledged') return 'duplicate';
      if (moved === 'moved') {
        medcomLetters.inc({ event: 'acknowledged', format: rec.format });
        this.log.info({ letterId: rec.letterId, noteId: rec.noteId, receiptType: receipt.receiptType }, 'letter acknowledged');
      }
      await this.audit.recordOnce(auditKey, {
        ...base,
        action: 'medcom.receipt',
        outcome: 'ok',
        ...(rec.state === 'gave-up' ? { reason: 'positive receipt after the letter was given up' } : {}),
      });
      return moved === 'moved' ? 'applied' : 'duplicate';
    }
    const moved = await this.store.transition(rec.letterId, ['sent', 'gave-up'], 'rejected', {
      receiptType: receipt.receiptType,
      refuseCode: refuseCode!,
      ...(refuseText ? { refuseText } : {}),
      rejectedAt: new Date().toISOString(),
    });
    if (moved !== 'moved' && rec.state !== 'rejected') return 'duplicate';
    if (moved === 'moved') {
      medcomLetters.inc({ event: 'rejected', format: rec.format });
      this.log.warn(
        { letterId: rec.letterId, noteId: rec.noteId, receiptType: receipt.receiptType, refuseCode },
        'letter rejected by a negative receipt',
      );
    }
    // The refusal that settled the letter: this receipt's, or the one stored by the earlier reading.
    const r =
      moved === 'moved'
        ? { receiptType: receipt.receiptType, refuseCode: refuseCode!, refuseText }
        : { receiptType: rec.receiptType ?? receipt.receiptType, refuseCode: rec.refuseCode ?? refuseCode!, refuseText: rec.refuseText };
    await this.audit.recordOnce(auditKey, {
      ...base,
      action: 'medcom.receipt',
      outcome: 'failed',
      reason: `${r.receiptType} ${r.refuseCode}${r.refuseText ? `: ${redactFreeText(r.refuseText)}` : ''}`,
    });
    // Likewise the dead letter: the job id makes a repeat a no-op.
    await this.queue.enqueue(
      'medcom.letter-rejected',
      { letterId: rec.letterId, noteId: rec.noteId, receiptType: r.receiptType, refuseCode: r.refuseCode },
      { jobId: `medcom-rejected-${rec.letterId}` },
    );
    return moved === 'moved' ? 'applied' : 'duplicate';
  }
}

function receiptLabel(r: ParsedReceipt): string {
  return r.receiptType === 'fhir-ack' ? `fhir-${r.ackCode}` : r.receiptType;
}

function unmatched(code: UnmatchedCode, reason: string): ApplyResult {
  return { outcome: 'unmatched', unmatched: { code, reason } };
}
