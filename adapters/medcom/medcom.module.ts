import { Module } from '@nestjs/common';
import type { AppConfig } from '../../src/config/config.schema';
import { CONFIG } from '../../src/config/tokens';
import { MedcomSettings, medcomSettings } from './medcom.settings';
import { MEDCOM_SETTINGS } from './medcom.tokens';
import { FileDropTransport } from './transport/file-drop.transport';
import { MEDCOM_TRANSPORT } from './transport/medcom.transport';

/**
 * MedCom adapter: settings and the VANS file-drop transport. The message composer (XDIS91 / FHIR
 * builders and the schema check, message.composer.ts) is provided by the letter lifecycle – the
 * workflow in src/workflows/medcom-letters, which provides MEDCOM_PORT – so its tests can see each compose.
 */
@Module({
  providers: [
    { provide: MEDCOM_SETTINGS, inject: [CONFIG], useFactory: (config: AppConfig) => medcomSettings(config) },
    {
      provide: MEDCOM_TRANSPORT,
      inject: [MEDCOM_SETTINGS],
      useFactory: (s: MedcomSettings) => new FileDropTransport(s.outDir, s.inDir, s.inboxReclaimMs),
    },
  ],
  exports: [MEDCOM_SETTINGS, MEDCOM_TRANSPORT],
})
export class MedcomModule {}
