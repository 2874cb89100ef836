import { Module } from '@nestjs/common';
import { EdocModule } from '../../../adapters/edoc/edoc.module';
import { DocumentJournal } from './journal-document.service';

/** The exactly-once journaling use case (ledger, search-before-create) built on the eDoc port. */
@Module({
  imports: [EdocModule],
  providers: [DocumentJournal],
  exports: [DocumentJournal],
})
export class JournalDocumentModule {}
