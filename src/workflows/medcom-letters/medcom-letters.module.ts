import { Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { MedcomModule } from '../../../adapters/medcom/medcom.module';
import { MEDCOM_PORT } from '../../../adapters/medcom/medcom.port';
import type { MedcomSettings } from '../../../adapters/medcom/medcom.settings';
import { messageComposer } from '../../../adapters/medcom/message.composer';
import { MEDCOM_SETTINGS } from '../../../adapters/medcom/medcom.tokens';
import type { AppConfig } from '../../config/config.schema';
import { CONFIG, REDIS } from '../../config/tokens';
import { CpuWork } from '../cpu-work/cpu-work.service';
import { setReceiptsOverdueSource } from '../../metrics/metrics';
import { LETTER_COMPOSER } from './medcom-letters.composer';
import { INBOUND_READER, inboundReader } from './medcom-letters.inbound-reader';
import { ReceiptInbox } from './medcom-letters.inbox';
import { MedcomProcessor } from './medcom-letters.processor';
import { MedcomInboxScheduler } from './medcom-letters.scheduler';
import { MedcomService } from './medcom-letters.service';
import { LetterStore } from './medcom-letters.store';

/** tsm_medcom_receipts_overdue reads the letter store when scraped, so every role's /metrics shows it. */
@Injectable()
export class ReceiptsOverdueGaugeSource implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly letters: LetterStore) {}

  onApplicationBootstrap(): void {
    setReceiptsOverdueSource(() => this.letters.countOverdue(new Date()));
  }

  onApplicationShutdown(): void {
    setReceiptsOverdueSource(undefined);
  }
}

/**
 * The MedCom letter lifecycle: the ledger around each send, receipt timeouts and resends, reading
 * the VANS in-folder on a schedule. Uses the MedCom adapter (builders, transport) and provides MEDCOM_PORT;
 * in-folder files are parsed on CpuWork's threads.
 */
@Module({
  imports: [MedcomModule],
  providers: [
    {
      provide: LetterStore,
      inject: [REDIS, MEDCOM_SETTINGS],
      useFactory: (redis: Redis, s: MedcomSettings) => new LetterStore(redis, s.redisPrefix),
    },
    {
      provide: LETTER_COMPOSER,
      inject: [MEDCOM_SETTINGS],
      useFactory: (s: MedcomSettings) => messageComposer(s),
    },
    MedcomService,
    { provide: MEDCOM_PORT, useExisting: MedcomService },
    {
      provide: INBOUND_READER,
      inject: [CONFIG, CpuWork],
      useFactory: (c: AppConfig, cpu: CpuWork) => inboundReader(c.MEDCOM_INBOX_MAX_BYTES, (bytes) => cpu.parseInbound(bytes)),
    },
    ReceiptInbox,
    MedcomProcessor,
    MedcomInboxScheduler,
    ReceiptsOverdueGaugeSource,
  ],
  exports: [MEDCOM_PORT],
})
export class MedcomLettersModule {}
