import Redis from 'ioredis';
import nock from 'nock';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EdocClient } from '../../../adapters/edoc/edoc.client';
import { EdocCodeLists } from '../../../adapters/edoc/edoc.code-lists';
import { buildFaultEnvelope, buildResponseEnvelope } from '../../../adapters/edoc/edoc.envelope';
import { EdocHealth } from '../../../adapters/edoc/edoc.health';
import { child, parseOrdered, XmlElement } from '../../../adapters/edoc/sandbox/ordered-xml';
import { AuditService } from '../../../src/audit/audit.service';
import { PermanentError } from '../../../src/common/errors';
import type { AppConfig } from '../../../src/config/config.schema';
import { Ledger } from '../../../src/ledger/ledger';
import { DocumentJournal } from '../../../src/workflows/journal-document/journal-document.service';
import { TEST_NOW } from '../../support/test-clock';
import { testConfig } from '../../support/test-service';

/**
 * Contract tests: the real eDoc adapter against answers written from the public clients' shapes
 * (every fixture in this folder names its public source). nock plays eDoc; each answer is chosen by
 * SOAPAction, and every request is kept so its shape can be compared with the public one.
 */
const ORIGIN = 'https://edoc.kommune.test';
const PATH = '/eDocWebService/edoc.asmx';
const USER_ID = 'www.kommune.test/esdh/bruger/tsm';

const fixture = (name: string) => readFileSync(path.join(__dirname, name), 'utf8');
/** A fixture's XML without its leading comment (what eDoc would send). */
const inner = (name: string) =>
  fixture(name)
    .replace(/<!--[\s\S]*?-->\s*/g, '')
    .trim();

/** Element names and order, recursively; texts ignored. */
interface Shape {
  name: string;
  children: Shape[];
}
const shape = (el: XmlElement): Shape => ({ name: el.name, children: el.children.map(shape) });

interface Sent {
  op: string;
  body: string;
}

/** eDoc played by nock: `answers[op]` is a list used in turn (the last one repeats). */
function edoc(answers: Record<string, Array<{ status?: number; body: string }>>): Sent[] {
  const sent: Sent[] = [];
  nock(ORIGIN)
    .persist()
    .post(PATH)
    .reply(function (_uri, body) {
      const op = String(this.req.headers.soapaction ?? '')
        .replace(/^"http:\/\/tempuri\.org\//, '')
        .replace(/"$/, '');
      sent.push({ op, body: String(body) });
      const list = answers[op] ?? [];
      const a = list.length > 1 ? list.shift()! : list[0];
      if (!a)
        return [500, buildFaultEnvelope('soap:Client', `no answer scripted for ${op}`), { 'Content-Type': 'text/xml; charset=utf-8' }];
      return [a.status ?? 200, a.body, { 'Content-Type': 'text/xml; charset=utf-8' }];
    });
  return sent;
}

const result = (op: string, file: string) => ({ body: buildResponseEnvelope(op, inner(file)) });

/** The inner XmlDocument of a sent request, parsed with prefixes and order. */
function xmlDocumentOf(s: Sent): XmlElement {
  const env = parseOrdered(s.body);
  return parseOrdered(child(child(child(env, 'soap:Body'), s.op), 'XmlDocument')!.text);
}

function config(env: Record<string, string> = {}): AppConfig {
  return testConfig({
    EDOC_URL: ORIGIN + PATH,
    EDOC_AUTH: 'basic',
    EDOC_USER: 'svc-tsm',
    EDOC_PASSWORD: 'contract-secret',
    EDOC_USER_IDENTIFIER: USER_ID,
    EDOC_TIMEOUT_MS: '2000',
    EDOC_CPR_SEARCH_FIELD: 'edoc:PartyIdentifier',
    ...env,
  });
}

describe('eDoc contract (public client shapes, real adapter over nock)', () => {
  let client: EdocClient | undefined;

  beforeAll(() => nock.disableNetConnect());
  // Un-patch http for the next test file in this Jest worker (nock's interceptor is process-wide).
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });
  afterEach(() => {
    client?.shutdown();
    client = undefined;
    nock.cleanAll();
  });

  describe('SearchCaseFile', () => {
    it('sends edoc:UserIdentifier as the first child of edoc:CaseFileSearch (XmlHelperTest shape) and reads an open case', async () => {
      const sent = edoc({ SearchCaseFile: [result('SearchCaseFile', 'search-case-file.open.result.xml')] });
      client = new EdocClient(config(), EdocCodeLists.load());
      const found = await client.findCase({ sequenceNumber: '26/010101' });
      expect(found).toEqual({
        caseFileIdentifier: '3f0c2b7e-5d41-4c7a-9e0b-0c6a1d2e4f10',
        sequenceNumber: '26/010101',
        status: 'Åben',
        open: true,
      });

      expect(sent.map((s) => s.op)).toEqual(['SearchCaseFile']);
      const doc = xmlDocumentOf(sent[0]);
      expect(shape(doc)).toEqual(shape(parseOrdered(fixture('search-case-file.request.xml'))));
      expect(child(child(doc, 'edoc:CaseFileSearch'), 'edoc:UserIdentifier')!.text).toBe(USER_ID);
    });

    it('reads a closed case as not open', async () => {
      edoc({ SearchCaseFile: [result('SearchCaseFile', 'search-case-file.closed.result.xml')] });
      client = new EdocClient(config(), EdocCodeLists.load());
      await expect(client.findCase({ caseFileIdentifier: '3f0c2b7e-5d41-4c7a-9e0b-0c6a1d2e4f10' })).resolves.toMatchObject({
        status: 'Afsluttet',
        open: false,
      });
    });

    it('open statuses are configurable (EDOC_OPEN_CASE_STATUSES), compared case-insensitively', async () => {
      edoc({ SearchCaseFile: [result('SearchCaseFile', 'search-case-file.closed.result.xml')] });
      client = new EdocClient(config({ EDOC_OPEN_CASE_STATUSES: 'Åben, afsluttet' }), EdocCodeLists.load());
      await expect(client.findCase({ sequenceNumber: '26/010101' })).resolves.toMatchObject({ open: true });
    });
  });

  describe('filing on a closed case', () => {
    let redis: Redis;

    beforeAll(() => {
      redis = new Redis(process.env.TEST_REDIS_URL!);
    });
    afterAll(async () => {
      await redis.quit();
    });

    it('is refused before any upload: EDOC_CASE_CLOSED, permanent, Danish text, audited with the code', async () => {
      const sent = edoc({ SearchCaseFile: [result('SearchCaseFile', 'search-case-file.closed.result.xml')] });
      const cfg = config();
      client = new EdocClient(cfg, EdocCodeLists.load());
      const audit = new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'h19e-contract-audit-')), cfg.QUEUE_PREFIX);
      const journal = new DocumentJournal(client, new Ledger(redis, cfg.QUEUE_PREFIX), audit, redis, cfg);
      const err = await journal
        .journal({
          sourceId: 'C1v1',
          kind: 'note',
          cpr: '0101401234',
          title: 'Samarbejdsmøde',
          documentType: 'Notat',
          date: '2026-12-03',
          pdf: Buffer.from('%PDF-1.7 x'),
          noteId: 7701,
        })
        .catch((e) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect(err).toMatchObject({ code: 'EDOC_CASE_CLOSED', errorClass: 'permanent', system: 'edoc' });
      expect(err.message).toContain('eDoc-sagen er ikke åben');
      expect(err.message).not.toContain('0101401234');
      expect(sent.map((s) => s.op)).toEqual(['SearchCaseFile']); // nothing uploaded
      const failed = (await audit.query({ noteId: 7701 })).filter((r) => r.outcome === 'failed');
      expect(failed.map((r) => r.reason)).toEqual(['EDOC_CASE_CLOSED']);
    });
  });

  describe('GetItemList code lists', () => {
    const itemLists = (documentType = 'get-item-list.document-type.result.xml') => ({
      GetItemList: [
        result('GetItemList', documentType),
        result('GetItemList', 'get-item-list.document-status-code.result.xml'),
        result('GetItemList', 'get-item-list.archive-format.result.xml'),
      ],
    });
    const health = (c: EdocClient, codes: EdocCodeLists) =>
      new EdocHealth(c, codes, { codeListCheck: true, checkEveryMs: 30_000, now: () => new Date(TEST_NOW) });

    it('asks each object group with the public request shape and confirms the shipped code-list file', async () => {
      const sent = edoc({ ...itemLists(), GetSystemInfo: [{ body: fixture('get-system-info.response.xml') }] });
      const codes = EdocCodeLists.load();
      client = new EdocClient(config(), codes);
      const h = health(client, codes);
      await h.checkCodeLists();
      expect(await h.readiness()).toEqual({
        codeLists: { state: 'ok' },
        system: { state: 'up', checkedAt: new Date(TEST_NOW).toISOString() },
      });

      const lists = sent.filter((s) => s.op === 'GetItemList').map(xmlDocumentOf);
      expect(lists.map((d) => child(d, 'edoc:ObjectGroup')!.text)).toEqual(['DocumentType', 'DocumentStatusCode', 'ArchiveFormat']);
      for (const d of lists) {
        expect(shape(d)).toEqual(shape(parseOrdered(fixture('get-item-list.request.xml'))));
        expect(d.attrs['xmlns:edoc']).toBe('http://www.fujitsu.dk/esdh/xml/schemas/2007/01/14/');
        expect(child(d, 'edoc:UserIdentifier')!.text).toBe(USER_ID);
      }
    });

    it('a configured name eDoc lists under another code fails readiness naming it, and filing with it is refused', async () => {
      const other = inner('get-item-list.document-type.result.xml').replace(
        '<edoclist:DocumentTypeId>60005<',
        '<edoclist:DocumentTypeId>60006<',
      );
      const sent = edoc({
        GetItemList: [
          { body: buildResponseEnvelope('GetItemList', other) },
          result('GetItemList', 'get-item-list.document-status-code.result.xml'),
          result('GetItemList', 'get-item-list.archive-format.result.xml'),
        ],
        GetSystemInfo: [{ body: fixture('get-system-info.response.xml') }],
      });
      const codes = new EdocCodeLists({
        documentTypes: { Notat: '60005', Skrivelse: '777' },
        documentStatuses: { Endelig: '6' },
        archiveFormats: { PDF: '12' },
      });
      client = new EdocClient(config(), codes);
      const h = health(client, codes);
      await h.checkCodeLists();
      const r = await h.readiness();
      expect(r.codeLists).toEqual({
        state: 'mismatch',
        mismatched: ['document type Notat: file 60005, eDoc 60006', "document type Skrivelse: not in eDoc's DocumentType list"],
      });
      const err = await client
        .journalDocument({ caseRef: '1', title: 't', documentType: 'Notat', date: '2026-12-03', pdf: Buffer.from('x'), sourceId: 's' })
        .catch((e) => e);
      expect(err).toMatchObject({ code: 'EDOC_CODE_MISMATCH', errorClass: 'permanent' });
      expect(sent.some((s) => s.op === 'CreateDocumentAndDocumentVersion')).toBe(false);
    });

    it('an eDoc that cannot be asked leaves the check open (not a mismatch) and readiness tries again later', async () => {
      edoc({
        GetItemList: [{ status: 500, body: buildFaultEnvelope('soap:Server', 'Server was unable to process request.') }],
        GetSystemInfo: [{ body: fixture('get-system-info.response.xml') }],
      });
      const codes = EdocCodeLists.load();
      client = new EdocClient(config(), codes);
      const h = health(client, codes);
      await h.checkCodeLists();
      expect((await h.readiness()).codeLists).toEqual({ state: 'unchecked', code: 'EDOC_SOAP_FAULT' });
      expect(codes.documentType('Notat')).toBe('60005'); // nothing refused on a check that could not run
    });
  });

  describe('GetSystemInfo', () => {
    it('is an empty request element with its SOAPAction; any answer is "up", a fault "down" with its code', async () => {
      const sent = edoc({
        GetSystemInfo: [
          { body: fixture('get-system-info.response.xml') },
          { status: 500, body: buildFaultEnvelope('soap:Server', 'down') },
        ],
      });
      client = new EdocClient(config(), EdocCodeLists.load());
      await expect(client.systemInfo()).resolves.toBeUndefined();
      const env = parseOrdered(sent[0].body);
      const op = child(child(env, 'soap:Body'), 'GetSystemInfo')!;
      expect(op.attrs.xmlns).toBe('http://tempuri.org/');
      expect(op.children).toEqual([]);
      await expect(client.systemInfo()).rejects.toMatchObject({ code: 'EDOC_SOAP_FAULT' });
    });
  });

  describe('CreateDocumentAndDocumentVersion and Links.OpenDocument', () => {
    it('sends the configured CaseManagerReference and OrganisationReference in the public order, and fetches Links.OpenDocument by id', async () => {
      const sent = edoc({
        CreateDocumentAndDocumentVersion: [result('CreateDocumentAndDocumentVersion', 'create-document.result.xml')],
        SearchDocument: [result('SearchDocument', 'search-document.by-id.result.xml')],
      });
      client = new EdocClient(
        config({ EDOC_CASE_MANAGER_REFERENCE: '540001', EDOC_ORGANISATION_REFERENCE: '500200' }),
        EdocCodeLists.load(),
      );
      const filed = await client.journalDocument({
        caseRef: '3f0c2b7e',
        title: 'Samarbejdsmøde',
        documentType: 'Notat',
        date: '2026-12-03',
        pdf: Buffer.from('%PDF'),
        sourceId: 'tsm:N1',
      });
      expect(filed).toEqual({
        documentIdentifier: '8d2f6a4c-1b3e-4f5a-9c7d-2e0f1a3b5c6d',
        openLink: 'http://edoc.kommune.test:8080/locator.aspx?name=DMS.Document.Details.300001&module=Document&recno=1300007',
      });
      expect(sent.map((s) => s.op)).toEqual(['CreateDocumentAndDocumentVersion', 'SearchDocument']);
      const create = xmlDocumentOf(sent[0]);
      expect(shape(create)).toEqual(shape(parseOrdered(fixture('create-document.request.xml'))));
      const doc = child(create, 'edoc:Document')!;
      expect(child(doc, 'fesd:CaseManagerReference')!.text).toBe('540001');
      expect(child(doc, 'edoc:OrganisationReference')!.text).toBe('500200');
      const search = xmlDocumentOf(sent[1]);
      const crit = child(child(search, 'edoc:DocumentSearch'), 'edoc:SearchCriterias')!;
      expect(crit.children.map((c) => [c.name, c.text])).toEqual([['fesd:DocumentIdentifier', '8d2f6a4c-1b3e-4f5a-9c7d-2e0f1a3b5c6d']]);
    });

    it('without the references they are not sent; a failed link lookup never fails the filing', async () => {
      const sent = edoc({
        CreateDocumentAndDocumentVersion: [result('CreateDocumentAndDocumentVersion', 'create-document.result.xml')],
        SearchDocument: [{ status: 500, body: buildFaultEnvelope('soap:Server', 'busy') }],
      });
      client = new EdocClient(config(), EdocCodeLists.load());
      const filed = await client.journalDocument({
        caseRef: '3f0c2b7e',
        title: 'Samarbejdsmøde',
        documentType: 'Notat',
        date: '2026-12-03',
        pdf: Buffer.from('%PDF'),
        sourceId: 'tsm:N1',
      });
      expect(filed).toEqual({ documentIdentifier: '8d2f6a4c-1b3e-4f5a-9c7d-2e0f1a3b5c6d' });
      const doc = child(xmlDocumentOf(sent[0]), 'edoc:Document')!;
      expect(doc.children.map((c) => c.name)).not.toEqual(expect.arrayContaining(['fesd:CaseManagerReference']));
      expect(child(doc, 'edoc:OrganisationReference')).toBeUndefined();
    });

    it('reads Links.OpenDocument from a SearchDocument answer when reconciling', async () => {
      edoc({ SearchDocument: [result('SearchDocument', 'search-document.by-id.result.xml')] });
      client = new EdocClient(config(), EdocCodeLists.load());
      await expect(
        client.findDocument({ caseRef: '3f0c2b7e', title: 'Tværfagligt samarbejdsmøde [tsm:N1.note.00000000]' }),
      ).resolves.toEqual({
        documentIdentifier: '8d2f6a4c-1b3e-4f5a-9c7d-2e0f1a3b5c6d',
        openLink: expect.stringContaining('DMS.Document.Details'),
      });
    });
  });
});
