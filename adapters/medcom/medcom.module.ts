import { Module } from '@nestjs/common';
import type { AppConfig } from '../../src/config/config.schema';
import { CONFIG } from '../../src/config/tokens';
import { shippedFile } from '../../src/infra/project-root';
import { MedcomSettings, medcomSettings } from './medcom.settings';
import { MEDCOM_SETTINGS } from './medcom.tokens';
import { MessageComposer } from './message.composer';
import { FileDropTransport } from './transport/file-drop.transport';
import { MEDCOM_TRANSPORT } from './transport/medcom.transport';
import { schemaValidator } from './xml/schema-validator';

/**
 * MedCom adapter: settings, the message composer (XDIS91 / FHIR builders and the schema check) and the
 * VANS file-drop transport. The letter lifecycle (ledger, receipts, resends) is the workflow in
 * src/workflows/medcom-letters, which provides MEDCOM_PORT.
 */
@Module({
  providers: [
    { provide: MEDCOM_SETTINGS, inject: [CONFIG], useFactory: (config: AppConfig) => medcomSettings(config) },
    {
      provide: MessageComposer,
      inject: [MEDCOM_SETTINGS],
      useFactory: (s: MedcomSettings) =>
        new MessageComposer(schemaValidator(shippedFile('schemas', 'xdis91.xsd')), s.xdis91BlockChars, { fhirEnvelope: s.fhirEnvelope }),
    },
    {
      provide: MEDCOM_TRANSPORT,
      inject: [MEDCOM_SETTINGS],
      useFactory: (s: MedcomSettings) => new FileDropTransport(s.outDir, s.inDir, s.inboxReclaimMs),
    },
  ],
  exports: [MEDCOM_SETTINGS, MessageComposer, MEDCOM_TRANSPORT],
})
export class MedcomModule {}
