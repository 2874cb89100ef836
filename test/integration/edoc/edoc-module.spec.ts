import { systemClock } from '../../../src/common/clock';
import { TEST_NOW } from '../../support/test-clock';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EdocCodeLists } from '../../../adapters/edoc/edoc.code-lists';
import { EdocModule } from '../../../adapters/edoc/edoc.module';
import { EDOC_PORT, EdocPort } from '../../../adapters/edoc/edoc.port';
import { startEdocSandbox } from '../../../adapters/edoc/sandbox/edoc.sandbox';
import { loadSeed } from '../../../adapters/shared/sandbox-seed';
import { CoreModule } from '../../../src/core.module';
import { redisOptionsFromUrl } from '../../../src/infra/redis-options';
import { renderNotePdf } from '../../../src/documents/note-pdf.renderer';
import { DocumentJournal } from '../../../src/workflows/journal-document/journal-document.service';
import { JournalDocumentModule } from '../../../src/workflows/journal-document/journal-document.module';
import { testConfig } from '../../support/test-service';

describe('EdocModule and JournalDocumentModule (Nest wiring)', () => {
  it('provides EDOC_PORT and DocumentJournal, which file a rendered note on the sandbox', async () => {
    const seed = loadSeed();
    const citizen = seed.citizens.find((c) => c.edocCase)!;
    const sandbox = await startEdocSandbox({ seed, codes: EdocCodeLists.load(), cprField: 'edoc:PartyIdentifier' });
    const config = testConfig({ EDOC_URL: sandbox.url, EDOC_AUTH: 'basic', EDOC_USER: sandbox.user, EDOC_PASSWORD: sandbox.password });

    @Module({
      imports: [
        CoreModule.forRoot(config, redisOptionsFromUrl(process.env.TEST_REDIS_URL!), systemClock(new Date(TEST_NOW))),
        EdocModule,
        JournalDocumentModule,
      ],
    })
    class TestApp {}
    const app = await NestFactory.createApplicationContext(TestApp, { logger: false });
    try {
      const port = app.get<EdocPort>(EDOC_PORT);
      const journal = app.get(DocumentJournal);
      expect(await port.findCase({ cpr: citizen.cpr })).not.toBeNull();

      const pdf = await renderNotePdf({
        title: 'Tværfagligt samarbejdsmøde',
        meetingDate: '2026-12-03',
        citizen: { name: `${citizen.firstName} ${citizen.lastName}`, cpr: citizen.cpr },
        items: { Emne: 'Opfølgning' },
        locked: true,
        state: 'Låst',
        sourceIds: ['Nexus note 5001 v3'],
      });
      const filed = await journal.journal({
        cpr: citizen.cpr,
        sourceId: 'nexus-note-5001-v3',
        kind: 'meeting-note',
        title: 'Tværfagligt samarbejdsmøde 2026-12-03',
        documentType: 'Notat',
        date: '2026-12-03',
        pdf,
        noteId: 5001,
      });
      expect(filed.outcome).toBe('performed');
      expect(sandbox.store.state().cases.flatMap((c) => c.documents)).toEqual([
        expect.objectContaining({ documentIdentifier: filed.documentIdentifier, size: pdf.length }),
      ]);
    } finally {
      await app.close();
      await sandbox.stop();
    }
  });
});
