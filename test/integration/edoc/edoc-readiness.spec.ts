import axios from 'axios';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { EdocClient } from '../../../adapters/edoc/edoc.client';
import { EdocCodeLists } from '../../../adapters/edoc/edoc.code-lists';
import { EdocHealth } from '../../../adapters/edoc/edoc.health';
import { RunningEdocSandbox, startEdocSandbox } from '../../../adapters/edoc/sandbox/edoc.sandbox';
import { loadSeed } from '../../../adapters/shared/sandbox-seed';
import { startService } from '../../../src/main';
import { TEST_NOW } from '../../support/test-clock';
import { eventually, testConfig } from '../../support/test-service';

const seed = loadSeed();
const citizen = seed.citizens.find((c) => c.edocCase)!;

describe('eDoc simulator: GetItemList, GetSystemInfo, case status, Links; readiness over HTTP', () => {
  let sandbox: RunningEdocSandbox;

  beforeAll(async () => {
    sandbox = await startEdocSandbox({ seed, codes: EdocCodeLists.load(), cprField: 'edoc:PartyIdentifier' });
  });
  afterAll(() => sandbox.stop());
  beforeEach(() => axios.post(`${sandbox.baseUrl}/_sandbox/reset`));

  const env = (extra: Record<string, string> = {}) => ({
    EDOC_URL: sandbox.url,
    EDOC_AUTH: 'basic',
    EDOC_USER: sandbox.user,
    EDOC_PASSWORD: sandbox.password,
    ...extra,
  });

  it('answers GetItemList and GetSystemInfo so the code-list check passes against the shipped file', async () => {
    const codes = EdocCodeLists.load();
    const client = new EdocClient(testConfig(env()), codes);
    try {
      const health = new EdocHealth(client, codes, { codeListCheck: true, checkEveryMs: 30_000, now: () => new Date(TEST_NOW) });
      await health.checkCodeLists();
      expect(await health.readiness()).toMatchObject({ codeLists: { state: 'ok' }, system: { state: 'up' } });
      expect(await client.itemList('DocumentType')).toEqual(
        expect.arrayContaining([{ DocumentTypeId: '60005', DocumentTypeName: 'Notat' }]),
      );
      expect(await client.itemList('CaseWorker')).toEqual([]);
      const calls = (await axios.get(`${sandbox.baseUrl}/_sandbox/stats`)).data.calls;
      expect(calls).toMatchObject({ GetItemList: 5, GetSystemInfo: 1 });
    } finally {
      client.shutdown();
    }
  });

  it('reports case status, closes a case (eDoc then refuses documents on it), and is strict about where searches put the UserIdentifier', async () => {
    const client = new EdocClient(testConfig(env()), EdocCodeLists.load());
    const rootClient = new EdocClient(testConfig(env({ EDOC_SEARCH_USER_ID_POSITION: 'root' })), EdocCodeLists.load());
    try {
      const kase = (await client.findCase({ cpr: citizen.cpr }))!;
      expect(kase).toMatchObject({ status: 'Åben', open: true });
      expect(
        (await axios.post(`${sandbox.baseUrl}/_sandbox/cases/${kase.caseFileIdentifier}/status`, { status: 'Afsluttet' })).status,
      ).toBe(200);
      await expect(client.findCase({ caseFileIdentifier: kase.caseFileIdentifier })).resolves.toMatchObject({
        status: 'Afsluttet',
        open: false,
      });
      // eDoc itself refuses a document on a closed case (the adapter never gets that far: it checks first).
      await expect(
        client.journalDocument({
          caseRef: kase.caseFileIdentifier,
          title: 't',
          documentType: 'Notat',
          date: '2026-12-03',
          pdf: Buffer.from('%PDF'),
          sourceId: 's',
        }),
      ).rejects.toMatchObject({ code: 'EDOC_ERROR_CaseFileClosed' });
      expect(
        (await axios.post(`${sandbox.baseUrl}/_sandbox/cases/nope/status`, { status: 'Åben' }, { validateStatus: () => true })).status,
      ).toBe(404);
      // The sandbox expects the configured shape (default: inside edoc:CaseFileSearch), not another one.
      await expect(rootClient.findCase({ cpr: citizen.cpr })).rejects.toMatchObject({ code: 'EDOC_ERROR_InvalidRequest' });
    } finally {
      client.shutdown();
      rootClient.shutdown();
    }
  });

  it('readiness: up with the shipped file; a code-list file eDoc contradicts makes it 503 naming the names, without personal data', async () => {
    const good = await startService({ role: 'api', config: testConfig(env()), sandboxes: false });
    try {
      const ready = (await eventually(async () => {
        const res = await request(good.baseUrl!).get('/health/ready');
        return res.body.details?.['edoc-code-lists']?.state === 'ok' ? res : undefined;
      }, 20_000))!;
      expect(ready.status).toBe(200);
      expect(ready.body.details['edoc-system']).toMatchObject({ status: 'up', state: 'up' });
    } finally {
      await good.stop();
    }

    const dir = mkdtempSync(path.join(os.tmpdir(), 'h19e-codes-'));
    const file = path.join(dir, 'codes.json');
    writeFileSync(
      file,
      JSON.stringify({ documentTypes: { Notat: '60006' }, documentStatuses: { Endelig: '6' }, archiveFormats: { PDF: '12' } }),
    );
    const bad = await startService({ role: 'api', config: testConfig(env({ EDOC_CODE_LISTS_FILE: file })), sandboxes: false });
    try {
      const res = (await eventually(async () => {
        const r = await request(bad.baseUrl!).get('/health/ready');
        return r.status === 503 ? r : undefined;
      }, 20_000))!;
      expect(res.body.status).toBe('error');
      expect(res.body.details.redis.status).toBe('up');
      expect(res.body.error['edoc-code-lists']).toEqual({
        status: 'down',
        state: 'mismatch',
        mismatched: ['document type Notat: file 60006, eDoc 60005'],
      });
      expect(JSON.stringify(res.body)).not.toContain(citizen.cpr);
    } finally {
      await bad.stop();
    }
  }, 90_000); // two service starts: slow on a loaded machine
});
