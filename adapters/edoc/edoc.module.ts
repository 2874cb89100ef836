import { Module } from '@nestjs/common';
import type { AppConfig } from '../../src/config/config.schema';
import { CONFIG } from '../../src/config/tokens';
import { EdocClient } from './edoc.client';
import { EdocCodeLists } from './edoc.code-lists';
import { EDOC_PORT } from './edoc.port';

/** eDoc: the port (SOAP client) and its code lists. The journaling use case is src/workflows/journal-document/journal-document.module.ts. */
@Module({
  providers: [
    { provide: EdocCodeLists, inject: [CONFIG], useFactory: (c: AppConfig) => EdocCodeLists.load(c.EDOC_CODE_LISTS_FILE) },
    { provide: EDOC_PORT, inject: [CONFIG, EdocCodeLists], useFactory: (c: AppConfig, codes: EdocCodeLists) => new EdocClient(c, codes) },
  ],
  exports: [EDOC_PORT, EdocCodeLists],
})
export class EdocModule {}
