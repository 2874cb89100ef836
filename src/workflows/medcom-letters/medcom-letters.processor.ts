import { Inject, Injectable } from '@nestjs/common';
import { LetterStore } from './medcom-letters.store';
import { MedcomService } from './medcom-letters.service';
import { InboxResult, ReceiptInbox } from './medcom-letters.inbox';
import { errorCode, PermanentError } from '../../common/errors';
import { undeliverableLetterJobId } from '../../domain/after-meeting.coordinator';
import { QueueGateway } from '../../../queues/queue.gateway';
import type { JobContext } from '../../../queues/job-context';
import { JobHandler } from '../../../queues/job-handler.decorator';
import type { JobPayload } from '../../../queues/job-types';

/** MedCom's background work: reading receipts, resending on timeout, surfacing refusals. */
@Injectable()
export class MedcomProcessor {
  constructor(
    @Inject(MedcomService) private readonly medcom: MedcomService,
    private readonly inbox: ReceiptInbox,
    private readonly store: LetterStore,
    private readonly queues: QueueGateway,
  ) {}

  /**
   * A letter that will not reach the GP (refused, or given up after the resends) becomes the
   * coordinator's task in the after-meeting workflow (issue 17); the job id is the letter's, so a
   * repeat (a retried job, a refusal after a give-up) is reported once.
   */
  private async reportUndeliverable(letterId: string, reason: 'MEDCOM_REJECTED' | 'MEDCOM_NO_RECEIPT', refuseCode?: string): Promise<void> {
    const rec = await this.store.get(letterId);
    if (!rec) return;
    const p = { noteId: rec.noteId, noteVersion: rec.noteVersion, kind: rec.kind, reason, letterId, ...(refuseCode ? { refuseCode } : {}) };
    await this.queues.enqueue('after-meeting.letter-undeliverable', p, { jobId: undeliverableLetterJobId(p) });
  }

  @JobHandler('medcom.inbox.poll')
  async pollInbox(_p: JobPayload<'medcom.inbox.poll'>, ctx: JobContext): Promise<InboxResult> {
    const result = await this.inbox.poll();
    if (result.files) ctx.log.info(result, 'VANS in-folder read');
    return result;
  }

  /**
   * Reads the in-folder first: when the queue is backed up, the receipt may be waiting there while
   * the poll job waits behind other work, and deciding without it would resend for nothing.
   */
  @JobHandler('medcom.receipt-timeout')
  async receiptTimeout(p: JobPayload<'medcom.receipt-timeout'>): Promise<{ outcome: string }> {
    await this.inbox.poll();
    try {
      return await this.medcom.onReceiptTimeout(p.letterId, p.attempt, { waits: p.waits, transient: p.transient });
    } catch (err) {
      if (errorCode(err) === 'MEDCOM_NO_RECEIPT') await this.reportUndeliverable(p.letterId, 'MEDCOM_NO_RECEIPT');
      throw err;
    }
  }

  /** Each timeout it arms is logged (with its letter id) by the service. */
  @JobHandler('medcom.receipt-watchdog')
  async receiptWatchdog(_p: JobPayload<'medcom.receipt-watchdog'>): Promise<{ checked: number; rearmed: number }> {
    return this.medcom.rearmMissingTimeouts();
  }

  /** Always fails permanently: the dead letter carries the refusal for a person to act on. */
  @JobHandler('medcom.letter-rejected')
  async letterRejected(p: JobPayload<'medcom.letter-rejected'>): Promise<never> {
    await this.reportUndeliverable(p.letterId, 'MEDCOM_REJECTED', p.refuseCode);
    const rec = await this.store.get(p.letterId);
    const text = rec?.refuseText ? `: ${rec.refuseText}` : '';
    throw new PermanentError(
      `letter ${p.letterId} (note ${p.noteId}) refused by ${p.receiptType} receipt, ${p.refuseCode}${text}. A person must check the letter and the GP's address`,
      'MEDCOM_REJECTED',
      'medcom',
    );
  }
}
