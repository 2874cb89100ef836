import { Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { MedcomProcessor } from '../../queues/processors/medcom.processor';
import type { AppConfig } from '../../src/config/config.schema';
import { CONFIG, REDIS } from '../../src/config/tokens';
import { shippedFile } from '../../src/infra/project-root';
import { setReceiptsOverdueSource } from '../../src/metrics/metrics';
import { LetterStore } from './letter.store';
import { MEDCOM_PORT } from './medcom.port';
import { MedcomInboxScheduler } from './medcom.scheduler';
import { MedcomService } from './medcom.service';
import { MedcomSettings, medcomSettings } from './medcom.settings';
import { MEDCOM_SETTINGS } from './medcom.tokens';
import { MessageComposer } from './message.composer';
import { ReceiptInbox } from './receipt.inbox';
import { FileDropTransport } from './transport/file-drop.transport';
import { MEDCOM_TRANSPORT } from './transport/medcom.transport';
import { schemaValidator } from './xml/schema-validator';

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

/** MedCom adapter: letters to GPs over VANS (file drop), receipts, resends. Provides MEDCOM_PORT. */
@Module({
  providers: [
    { provide: MEDCOM_SETTINGS, inject: [CONFIG], useFactory: (config: AppConfig) => medcomSettings(config) },
    { provide: LetterStore, inject: [REDIS, MEDCOM_SETTINGS], useFactory: (redis: Redis, s: MedcomSettings) => new LetterStore(redis, s.redisPrefix) },
    {
      provide: MessageComposer,
      inject: [MEDCOM_SETTINGS],
      useFactory: (s: MedcomSettings) => new MessageComposer(schemaValidator(shippedFile('schemas', 'xdis91.xsd')), s.xdis91BlockChars),
    },
    { provide: MEDCOM_TRANSPORT, inject: [MEDCOM_SETTINGS], useFactory: (s: MedcomSettings) => new FileDropTransport(s.outDir, s.inDir, s.inboxReclaimMs) },
    MedcomService,
    { provide: MEDCOM_PORT, useExisting: MedcomService },
    ReceiptInbox,
    MedcomProcessor,
    MedcomInboxScheduler,
    ReceiptsOverdueGaugeSource,
  ],
  exports: [MEDCOM_PORT],
})
export class MedcomModule {}
