import { Inject, Injectable, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { QueueGateway } from '../../../queues/queue.gateway';
import { WorkerHost } from '../../../queues/worker.host';
import { MEDCOM_SETTINGS } from '../../../adapters/medcom/medcom.tokens';
import type { MedcomSettings } from '../../../adapters/medcom/medcom.settings';

export const INBOX_SCHEDULER_ID = 'medcom-inbox';
export const RECEIPT_WATCHDOG_SCHEDULER_ID = 'medcom-receipt-watchdog';

/** In processes that run workers, keeps the in-folder poll and the receipt watchdog scheduled (idempotent on restart). */
@Injectable()
export class MedcomInboxScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly queue: QueueGateway,
    @Inject(MEDCOM_SETTINGS) private readonly settings: MedcomSettings,
    @Optional() private readonly workers?: WorkerHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.workers) return;
    await this.queue.upsertScheduler(INBOX_SCHEDULER_ID, { everyMs: this.settings.inboxPollMs }, 'medcom.inbox.poll', {}, { keep: true });
    await this.queue.upsertScheduler(
      RECEIPT_WATCHDOG_SCHEDULER_ID,
      { everyMs: this.settings.receiptWatchdogMs },
      'medcom.receipt-watchdog',
      {},
      { keep: true },
    );
  }
}
