import { Module } from '@nestjs/common';
import { CLOCK, Clock } from '../../src/common/clock';
import type { AppConfig } from '../../src/config/config.schema';
import { CONFIG } from '../../src/config/tokens';
import { EdocClient } from './edoc.client';
import { EdocCodeLists } from './edoc.code-lists';
import { EdocHealth } from './edoc.health';
import { EDOC_PORT } from './edoc.port';

/**
 * eDoc: the port (SOAP client), its code lists and its health for readiness (code lists checked with
 * GetItemList at start-up, GetSystemInfo). The journaling use case is src/workflows/journal-document/journal-document.module.ts.
 */
@Module({
  providers: [
    { provide: EdocCodeLists, inject: [CONFIG], useFactory: (c: AppConfig) => EdocCodeLists.load(c.EDOC_CODE_LISTS_FILE) },
    { provide: EDOC_PORT, inject: [CONFIG, EdocCodeLists], useFactory: (c: AppConfig, codes: EdocCodeLists) => new EdocClient(c, codes) },
    {
      provide: EdocHealth,
      inject: [EDOC_PORT, EdocCodeLists, CONFIG, CLOCK],
      useFactory: (client: EdocClient, codes: EdocCodeLists, c: AppConfig, clock: Clock) =>
        new EdocHealth(client, codes, {
          codeListCheck: c.EDOC_CODE_LIST_CHECK,
          checkEveryMs: c.EDOC_READINESS_CHECK_MS,
          now: () => clock.now(),
        }),
    },
  ],
  exports: [EDOC_PORT, EdocCodeLists],
})
export class EdocModule {}
