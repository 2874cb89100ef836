import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { QueueGateway } from '../../queues/queue.gateway';
import { AuditService } from '../../src/audit/audit.service';
import { PermanentError } from '../../src/common/errors';
import { rootLogger } from '../../src/logging/logger';
import { redactFreeText } from '../../src/logging/redact';
import { medcomLetters, medcomReceipts } from '../../src/metrics/metrics';
import { LetterStore } from './letter.store';
import { ParsedReceipt, parseInbound, ReceiptLetter } from './receipt.parser';
import { InboundItem, MEDCOM_TRANSPORT, MedcomTransport } from './transport/medcom.transport';

export interface InboxResult {
  files: number;
  applied: number;
  duplicates: number;
  unmatched: number;
  failed: number;
}

type Applied = 'applied' | 'duplicate' | 'unmatched';

/**
 * Applies receipts from the VANS in-folder to the letters they answer, matched by original letter
 * id (OIOXML OriginalLetterIdentifier, FHIR response.identifier = MessageHeader.id) or, when a
 * receipt names only the envelope, by original envelope id. Positive → acknowledged; negative →
 * rejected, surfaced as a dead letter with the refusal, a metric and an audit record; a repeated
 * receipt changes nothing. Every file ends in processed/, failed/ or unmatched/ – none is lost.
 */
@Injectable()
export class ReceiptInbox {
  private readonly log: Logger = rootLogger().child({ component: 'medcom-inbox' });

  constructor(
    private readonly store: LetterStore,
    @Inject(MEDCOM_TRANSPORT) private readonly transport: MedcomTransport,
    @Inject(AuditService) private readonly audit: AuditService,
    private readonly queue: QueueGateway,
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
      parsed = parseInbound(item.bytes);
    } catch (err) {
      if (!(err instanceof PermanentError)) throw err;
      const reason = `[${err.code}] ${err.message}`;
      medcomReceipts.inc({ type: 'malformed', outcome: 'failed' });
      await this.transport.settle(item, 'failed', reason);
      await this.audit.record({ action: 'medcom.inbox', system: 'medcom', outcome: 'failed', reason, externalIds: { file: redactFreeText(item.id) } });
      this.log.warn({ file: redactFreeText(item.id), code: err.code }, 'unreadable file in the VANS in-folder moved to failed/');
      return 'failed';
    }
    if (parsed.kind === 'message') {
      const reason = `incoming ${parsed.messageType} message (envelope ${parsed.envelopeId}) is not handled by tsm-bridge`;
      medcomReceipts.inc({ type: 'message', outcome: 'unmatched' });
      await this.transport.settle(item, 'unmatched', reason);
      await this.audit.record({ action: 'medcom.inbox', system: 'medcom', outcome: 'skipped', reason, externalIds: { file: redactFreeText(item.id) } });
      return 'unmatched';
    }
    const outcome = await this.apply(parsed);
    medcomReceipts.inc({ type: receiptLabel(parsed), outcome });
    await this.transport.settle(item, outcome === 'unmatched' ? 'unmatched' : 'processed',
      outcome === 'unmatched' ? `${parsed.receiptType} receipt ${parsed.receiptId} answers no letter known here` : undefined);
    return outcome;
  }

  /** Applies one parsed receipt; 'applied' if any letter changed, 'duplicate' if all were settled already. */
  async apply(receipt: ParsedReceipt): Promise<Applied> {
    let targets: ReceiptLetter[] = receipt.letters;
    if (!targets.length && receipt.originalEnvelopeId) {
      const letterId = await this.store.letterForEnvelope(receipt.originalEnvelopeId);
      targets = letterId ? [{ letterId }] : [];
    }
    const outcomes = await Promise.all(targets.map((t) => this.applyToLetter(receipt, t)));
    if (outcomes.includes('applied')) return 'applied';
    return outcomes.includes('duplicate') ? 'duplicate' : 'unmatched';
  }

  private async applyToLetter(receipt: ParsedReceipt, target: ReceiptLetter): Promise<Applied> {
    const rec = await this.store.get(target.letterId);
    if (!rec) return 'unmatched';
    const refuseCode = target.refuseCode ?? receipt.refuseCode ?? (receipt.outcome === 'negative' ? 'ikke_specificeret' : undefined);
    const refuseText = target.refuseText ?? receipt.refuseText;
    const base = { system: 'medcom' as const, noteId: rec.noteId, ledgerKey: rec.ledgerKey,
      externalIds: { letterId: rec.letterId, receipt: receipt.receiptId, receiptType: receipt.receiptType, ...(receipt.originalEnvelopeId ? { envelopeId: receipt.originalEnvelopeId } : {}) } };

    if (receipt.outcome === 'transient') {
      await this.audit.record({ ...base, action: 'medcom.receipt', outcome: 'skipped', reason: `transient-error from the receiver; the letter is resent when its receipt timeout expires${refuseText ? `: ${redactFreeText(refuseText)}` : ''}` });
      return 'applied';
    }
    // The audit line of the receipt that settled the letter is written once per letter (recordOnce);
    // it is also written when this receipt was applied before, since that reading may have died
    // between the state change and the audit (the file is only settled at the end).
    const auditKey = `medcom.receipt:${rec.letterId}`;
    if (receipt.outcome === 'positive') {
      const moved = await this.store.transition(rec.letterId, ['sent', 'gave-up'], 'acknowledged', { receiptType: receipt.receiptType, acknowledgedAt: new Date().toISOString() });
      if (moved !== 'moved' && rec.state !== 'acknowledged') return 'duplicate';
      if (moved === 'moved') {
        medcomLetters.inc({ event: 'acknowledged', format: rec.format });
        this.log.info({ letterId: rec.letterId, noteId: rec.noteId, receiptType: receipt.receiptType }, 'letter acknowledged');
      }
      await this.audit.recordOnce(auditKey, { ...base, action: 'medcom.receipt', outcome: 'ok', ...(rec.state === 'gave-up' ? { reason: 'positive receipt after the letter was given up' } : {}) });
      return moved === 'moved' ? 'applied' : 'duplicate';
    }
    const moved = await this.store.transition(rec.letterId, ['sent', 'gave-up'], 'rejected', {
      receiptType: receipt.receiptType, refuseCode: refuseCode!, ...(refuseText ? { refuseText } : {}), rejectedAt: new Date().toISOString(),
    });
    if (moved !== 'moved' && rec.state !== 'rejected') return 'duplicate';
    if (moved === 'moved') {
      medcomLetters.inc({ event: 'rejected', format: rec.format });
      this.log.warn({ letterId: rec.letterId, noteId: rec.noteId, receiptType: receipt.receiptType, refuseCode }, 'letter rejected by a negative receipt');
    }
    // The refusal that settled the letter: this receipt's, or the one stored by the earlier reading.
    const r = moved === 'moved'
      ? { receiptType: receipt.receiptType, refuseCode: refuseCode!, refuseText }
      : { receiptType: rec.receiptType ?? receipt.receiptType, refuseCode: rec.refuseCode ?? refuseCode!, refuseText: rec.refuseText };
    await this.audit.recordOnce(auditKey, { ...base, action: 'medcom.receipt', outcome: 'failed', reason: `${r.receiptType} ${r.refuseCode}${r.refuseText ? `: ${redactFreeText(r.refuseText)}` : ''}` });
    // Likewise the dead letter: the job id makes a repeat a no-op.
    await this.queue.enqueue('medcom.letter-rejected', { letterId: rec.letterId, noteId: rec.noteId, receiptType: r.receiptType, refuseCode: r.refuseCode },
      { jobId: `medcom-rejected-${rec.letterId}` });
    return moved === 'moved' ? 'applied' : 'duplicate';
  }
}

function receiptLabel(r: ParsedReceipt): string {
  return r.receiptType === 'fhir-ack' ? `fhir-${r.ackCode}` : r.receiptType;
}
