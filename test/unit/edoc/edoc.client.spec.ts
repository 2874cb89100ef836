import nock from 'nock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EdocClient } from '../../../adapters/edoc/edoc.client';
import { EdocCodeLists } from '../../../adapters/edoc/edoc.code-lists';
import { buildFaultEnvelope, buildResponseEnvelope } from '../../../adapters/edoc/edoc.envelope';
import { EDOC_NS, FESD_NS } from '../../../adapters/edoc/edoc.mapper';
import { child, parseOrdered, XmlElement } from '../../../adapters/edoc/sandbox/ordered-xml';
import { IntegrationError, PermanentError, RetryableError } from '../../../src/common/errors';
import type { AppConfig } from '../../../src/config/config.schema';
import { loadConfig } from '../../../src/config/load-config';

const ORIGIN = 'https://edoc.kommune.test';
const PATH = '/eDocWebService/edoc.asmx';
const ROOT_NS = `xmlns:edoc="${EDOC_NS}" xmlns:fesd="${FESD_NS}"`;

function config(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    EDOC_URL: ORIGIN + PATH,
    EDOC_AUTH: 'basic',
    EDOC_USER: 'svc-tsm',
    EDOC_PASSWORD: 'sandbox-secret',
    EDOC_USER_IDENTIFIER: 'www.kommune.test/esdh/bruger/tsm',
    EDOC_TIMEOUT_MS: '2000',
    // Each test scripts exactly its calls; the link lookup after an upload is covered by test/contract/edoc.
    EDOC_OPEN_LINK_LOOKUP: 'false',
    ...env,
  });
}

interface Captured {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Answers one SOAP call with `reply` and records what was sent. */
function soapCall(op: string, reply: { status?: number; body: string }, headers?: Record<string, string>): Captured {
  const captured: Captured = { headers: {}, body: '' };
  nock(ORIGIN, headers ? { reqheaders: headers } : undefined)
    .post(PATH)
    .reply(function (_uri, body) {
      captured.headers = this.req.headers;
      captured.body = typeof body === 'string' ? body : JSON.stringify(body);
      return [reply.status ?? 200, reply.body, { 'Content-Type': 'text/xml; charset=utf-8' }];
    });
  return captured;
}

const result = (op: string, inner: string) => ({ body: buildResponseEnvelope(op, inner) });

/** The request's SOAP envelope and the inner eDoc XML, both parsed keeping prefixes and order. */
function unwrap(body: string, op: string): { envelope: XmlElement; inner: XmlElement; innerText: string } {
  const envelope = parseOrdered(body);
  const opEl = child(child(envelope, 'soap:Body'), op)!;
  const innerText = child(opEl, 'XmlDocument')!.text;
  return { envelope, inner: parseOrdered(innerText), innerText };
}

const PDF = Buffer.from('%PDF-1.7 test content æøå');

describe('EdocClient (SOAP 1.1 to edoc.asmx)', () => {
  let client: EdocClient;
  const codes = EdocCodeLists.load();

  beforeAll(() => nock.disableNetConnect());
  // Un-patch http for the next test file in this Jest worker (nock's interceptor is process-wide).
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });
  afterEach(() => {
    client?.shutdown();
    nock.cleanAll();
  });

  it('searches a case by sequence number with the right envelope, SOAPAction, namespaces and edoc:UserIdentifier first in edoc:CaseFileSearch', async () => {
    client = new EdocClient(config(), codes);
    const call = soapCall(
      'SearchCaseFile',
      result(
        'SearchCaseFile',
        `<Root ${ROOT_NS}><edoc:CaseFilesSearchResult><edoc:CaseFileSearchResult><fesd:CaseFileIdentifier>200001</fesd:CaseFileIdentifier><edoc:SequenceNumber>24/012345</edoc:SequenceNumber><fesd:TitleText>Sag</fesd:TitleText></edoc:CaseFileSearchResult></edoc:CaseFilesSearchResult></Root>`,
      ),
      { SOAPAction: '"http://tempuri.org/SearchCaseFile"' },
    );
    await expect(client.findCase({ sequenceNumber: '24/012345' })).resolves.toEqual({
      caseFileIdentifier: '200001',
      sequenceNumber: '24/012345',
    }); // no status in the answer: open unknown

    expect(call.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(call.headers.authorization).toBe(`Basic ${Buffer.from('svc-tsm:sandbox-secret').toString('base64')}`);
    const { envelope, inner } = unwrap(call.body, 'SearchCaseFile');
    expect(envelope.name).toBe('soap:Envelope');
    expect(envelope.attrs['xmlns:soap']).toBe('http://schemas.xmlsoap.org/soap/envelope/');
    expect(child(child(envelope, 'soap:Body'), 'SearchCaseFile')!.attrs.xmlns).toBe('http://tempuri.org/');
    expect(inner.name).toBe('Root');
    expect(inner.attrs).toEqual({ 'xmlns:edoc': EDOC_NS, 'xmlns:fesd': FESD_NS });
    expect(inner.children.map((c) => c.name)).toEqual(['edoc:CaseFileSearch']);
    const search = child(inner, 'edoc:CaseFileSearch')!;
    expect(search.children.map((c) => c.name)).toEqual(['edoc:UserIdentifier', 'edoc:SearchCriterias']);
    expect(search.children[0].text).toBe('www.kommune.test/esdh/bruger/tsm');
    const criteria = child(search, 'edoc:SearchCriterias')!;
    expect(criteria.children).toEqual([expect.objectContaining({ name: 'edoc:SequenceNumber', text: '24/012345' })]);
  });

  it.each(['basic', 'ntlm'] as const)(
    'never follows a redirect (%s): a 3xx is a permanent error and its target is not called',
    async (auth) => {
      client = new EdocClient(config({ EDOC_AUTH: auth, EDOC_DOMAIN: 'KOMMUNE' }), codes);
      // NTLM: the redirect answers the first (negotiate) request, before any handshake.
      nock(ORIGIN).post(PATH).reply(302, '', { Location: 'https://elsewhere.test/steal' });
      const elsewhere = nock('https://elsewhere.test').post('/steal').reply(200, '').get('/steal').reply(200, '');
      const err = await client.findCase({ sequenceNumber: '24/1' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect((err as PermanentError).code).toBe('HTTP_302');
      expect(elsewhere.isDone()).toBe(false);
      expect(elsewhere.pendingMocks()).toHaveLength(2);
    },
  );

  it('puts the search UserIdentifier where configured: first in Root, in the fesd namespace', async () => {
    client = new EdocClient(config({ EDOC_SEARCH_USER_ID_NS: 'fesd', EDOC_SEARCH_USER_ID_POSITION: 'root' }), codes);
    const call = soapCall('SearchCaseFile', result('SearchCaseFile', `<Root ${ROOT_NS}><edoc:CaseFilesSearchResult/></Root>`));
    await client.findCase({ sequenceNumber: '24/1' });
    const { inner } = unwrap(call.body, 'SearchCaseFile');
    expect(inner.children.map((c) => c.name)).toEqual(['fesd:UserIdentifier', 'edoc:CaseFileSearch']);
    expect(child(inner, 'edoc:CaseFileSearch')!.children.map((c) => c.name)).toEqual(['edoc:SearchCriterias']);
  });

  it('searches by CPR with the configured party field, and returns null when nothing matches', async () => {
    client = new EdocClient(config({ EDOC_CPR_SEARCH_FIELD: 'fesd:PartyIdentifier' }), codes);
    const call = soapCall('SearchCaseFile', result('SearchCaseFile', `<Root ${ROOT_NS}><edoc:CaseFilesSearchResult/></Root>`));
    await expect(client.findCase({ cpr: '010140-1234' })).resolves.toBeNull();
    const criteria = child(child(unwrap(call.body, 'SearchCaseFile').inner, 'edoc:CaseFileSearch'), 'edoc:SearchCriterias')!;
    expect(criteria.children).toEqual([expect.objectContaining({ name: 'fesd:PartyIdentifier', text: '0101401234' })]);
  });

  it('refuses to guess between several cases for one citizen, without naming the citizen', async () => {
    client = new EdocClient(config(), codes);
    const hit = (id: string) =>
      `<edoc:CaseFileSearchResult><fesd:CaseFileIdentifier>${id}</fesd:CaseFileIdentifier></edoc:CaseFileSearchResult>`;
    soapCall(
      'SearchCaseFile',
      result('SearchCaseFile', `<Root ${ROOT_NS}><edoc:CaseFilesSearchResult>${hit('1')}${hit('2')}</edoc:CaseFilesSearchResult></Root>`),
    );
    const err = await client.findCase({ cpr: '0101401234' }).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('EDOC_CASE_AMBIGUOUS');
    expect(err.message).not.toContain('0101401234');
  });

  it('creates a document: case id, Document with UserIdentifier first, codes looked up by name, base64 PDF', async () => {
    client = new EdocClient(config(), codes);
    const call = soapCall(
      'CreateDocumentAndDocumentVersion',
      result(
        'CreateDocumentAndDocumentVersion',
        `<Root ${ROOT_NS}><fesd:DocumentIdentifier>7cfcb29f-6541-449f-b06b-ba3be2ad9871</fesd:DocumentIdentifier></Root>`,
      ),
      { SOAPAction: '"http://tempuri.org/CreateDocumentAndDocumentVersion"' },
    );
    const out = await client.journalDocument({
      caseRef: '200001',
      title: 'Samarbejdsmøde [tsm:N1]',
      documentType: 'Notat',
      date: '2026-12-03',
      pdf: PDF,
      sourceId: 'tsm:N1',
    });
    expect(out).toEqual({ documentIdentifier: '7cfcb29f-6541-449f-b06b-ba3be2ad9871' });

    const { inner } = unwrap(call.body, 'CreateDocumentAndDocumentVersion');
    expect(inner.children.map((c) => c.name)).toEqual(['fesd:CaseFileIdentifier', 'edoc:Document']);
    expect(inner.children[0].text).toBe('200001');
    const doc = child(inner, 'edoc:Document')!;
    expect(doc.children[0]).toEqual(expect.objectContaining({ name: 'fesd:UserIdentifier', text: 'www.kommune.test/esdh/bruger/tsm' }));
    const field = (n: string) => child(doc, n)?.text;
    expect(field('fesd:TitleText')).toBe('Samarbejdsmøde [tsm:N1]');
    expect(field('fesd:DocumentTypeReference')).toBe('60005'); // "Notat"
    expect(field('fesd:DocumentStatusCode')).toBe('6'); // "Endelig" (EDOC_DOCUMENT_STATUS default)
    expect(field('fesd:DocumentDate')).toBe('2026-12-03');
    expect(field('edoc:Summary')).toContain('tsm:N1');
    const version = child(doc, 'edoc:DocumentVersion')!;
    expect(child(version, 'fesd:ArchiveFormatCode')!.text).toBe('12');
    expect(Buffer.from(child(version, 'fesd:DocumentContents')!.text, 'base64')).toEqual(PDF);
  });

  it('escapes the inner XML as text: &, <, > and quotes survive, æøå travel as UTF-8', async () => {
    client = new EdocClient(config(), codes);
    const title = 'Møde <rehab> & "plan" – æøå ÆØÅ';
    const call = soapCall(
      'CreateDocumentAndDocumentVersion',
      result('CreateDocumentAndDocumentVersion', `<Root ${ROOT_NS}><fesd:DocumentIdentifier>1</fesd:DocumentIdentifier></Root>`),
    );
    await client.journalDocument({ caseRef: '200001', title, documentType: 'notat', date: '2026-12-03', pdf: PDF, sourceId: 's1' });

    // The inner document is a string parameter: no inner element may appear as markup in the envelope.
    expect(call.body).toContain('<XmlDocument>&lt;Root ');
    expect(call.body).not.toContain('<Root');
    expect(call.body).not.toContain('<fesd:');
    // Inner escaping (&lt; &amp;) escaped once more by the envelope.
    expect(call.body).toContain('Møde &amp;lt;rehab&amp;gt; &amp;amp;');
    expect(call.body).toContain('æøå ÆØÅ');
    const { inner } = unwrap(call.body, 'CreateDocumentAndDocumentVersion');
    expect(child(child(inner, 'edoc:Document'), 'fesd:TitleText')!.text).toBe(title);
  });

  it('reads a result with entities and another prefix for the same namespace', async () => {
    client = new EdocClient(config(), codes);
    soapCall(
      'SearchDocument',
      result(
        'SearchDocument',
        `<Root xmlns:e="${EDOC_NS}" xmlns:f="${FESD_NS}"><e:Documents><e:Document><f:DocumentIdentifier>D-1</f:DocumentIdentifier><f:TitleText>A &amp; B</f:TitleText></e:Document><e:Document><f:DocumentIdentifier>D-2</f:DocumentIdentifier><f:TitleText>A &amp; B (kopi)</f:TitleText></e:Document></e:Documents></Root>`,
      ),
    );
    await expect(client.findDocument({ caseRef: '200001', title: 'A & B' })).resolves.toEqual({ documentIdentifier: 'D-1' });
  });

  it('sends SearchDocument criteria as FESD CaseFileReference and TitleText', async () => {
    client = new EdocClient(config(), codes);
    const call = soapCall('SearchDocument', result('SearchDocument', `<Root ${ROOT_NS}><edoc:Documents/></Root>`), {
      SOAPAction: '"http://tempuri.org/SearchDocument"',
    });
    await expect(client.findDocument({ caseRef: '200001', title: 'T [tsm:x]' })).resolves.toBeNull();
    const { inner } = unwrap(call.body, 'SearchDocument');
    expect(child(inner, 'edoc:DocumentSearch')!.children[0].name).toBe('edoc:UserIdentifier');
    const criteria = child(child(inner, 'edoc:DocumentSearch'), 'edoc:SearchCriterias')!;
    expect(criteria.children.map((c) => [c.name, c.text])).toEqual([
      ['fesd:CaseFileReference', '200001'],
      ['fesd:TitleText', 'T [tsm:x]'],
    ]);
  });

  describe('errors', () => {
    const cprInText = 'Sagen for 0101401234 Anna Jensen er lukket';

    it('a business error inside the result is permanent, and its description (which may echo input) is not in the message', async () => {
      client = new EdocClient(config(), codes);
      soapCall(
        'CreateDocumentAndDocumentVersion',
        result(
          'CreateDocumentAndDocumentVersion',
          `<Root><ErrorCode>4711</ErrorCode><ErrorDescriptionText>${cprInText}</ErrorDescriptionText></Root>`,
        ),
      );
      const err = await client
        .journalDocument({ caseRef: '1', title: 't', documentType: 'Notat', date: '2026-01-01', pdf: PDF, sourceId: 's' })
        .catch((e) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect(err.code).toBe('EDOC_ERROR_4711');
      expect(err.system).toBe('edoc');
      expect(err.message).not.toMatch(/0101401234|Anna|Jensen/);
    });

    it('a business error that clearly says "try again" is retryable', async () => {
      client = new EdocClient(config(), codes);
      soapCall(
        'SearchCaseFile',
        result(
          'SearchCaseFile',
          `<Root><ErrorCode>900</ErrorCode><ErrorDescriptionText>Database deadlock, prøv igen</ErrorDescriptionText></Root>`,
        ),
      );
      const err = await client.findCase({ sequenceNumber: '24/1' }).catch((e) => e);
      expect(err).toBeInstanceOf(RetryableError);
      expect(err.code).toBe('EDOC_ERROR_900');
    });

    it('an answer without the result element is an error, not an empty result', async () => {
      client = new EdocClient(config(), codes);
      soapCall('SearchDocument', { body: buildResponseEnvelope('SearchDocument', undefined) });
      const err = await client.findDocument({ caseRef: '1', title: 't' }).catch((e) => e);
      expect(err).toBeInstanceOf(RetryableError);
      expect(err.code).toBe('EDOC_NO_RESULT');
    });

    it('a created document without a DocumentIdentifier is an error (outcome unknown)', async () => {
      client = new EdocClient(config(), codes);
      soapCall('CreateDocumentAndDocumentVersion', result('CreateDocumentAndDocumentVersion', `<Root ${ROOT_NS}/>`));
      const err = await client
        .journalDocument({ caseRef: '1', title: 't', documentType: 'Notat', date: '2026-01-01', pdf: PDF, sourceId: 's' })
        .catch((e) => e);
      expect(err).toBeInstanceOf(RetryableError);
      expect(err.code).toBe('EDOC_NO_DOCUMENT_ID');
    });

    it('a soap:Server fault is retryable, a soap:Client fault permanent; fault texts stay out of messages', async () => {
      client = new EdocClient(config(), codes);
      soapCall('SearchCaseFile', {
        status: 500,
        body: buildFaultEnvelope('soap:Server', `Server was unable to process request. ${cprInText}`),
      });
      const server = await client.findCase({ sequenceNumber: '24/1' }).catch((e) => e);
      expect(server).toBeInstanceOf(RetryableError);
      expect(server.code).toBe('EDOC_SOAP_FAULT');
      expect(server.message).not.toMatch(/0101401234|Anna/);

      soapCall('SearchCaseFile', {
        status: 500,
        body: buildFaultEnvelope('soap:Client', 'Server did not recognize the value of HTTP Header SOAPAction'),
      });
      const clientFault = await client.findCase({ sequenceNumber: '24/1' }).catch((e) => e);
      expect(clientFault).toBeInstanceOf(PermanentError);
      expect(clientFault.code).toBe('EDOC_SOAP_FAULT_CLIENT');
    });

    it('a garbled 200 answer is retryable; 401 is permanent; a timeout is retryable', async () => {
      client = new EdocClient(config({ EDOC_TIMEOUT_MS: '300' }), codes);
      soapCall('SearchCaseFile', { body: '<html>proxy error' });
      await expect(client.findCase({ sequenceNumber: '24/1' })).rejects.toMatchObject({
        code: 'EDOC_BAD_RESPONSE',
        errorClass: 'retryable',
      });

      nock(ORIGIN).post(PATH).reply(401, '');
      await expect(client.findCase({ sequenceNumber: '24/1' })).rejects.toMatchObject({ code: 'HTTP_401', errorClass: 'permanent' });

      // The answer comes after the client gave up; the test waits for it, so its timer does not outlive the test.
      const late = nock(ORIGIN).post(PATH).delay(400).reply(200, buildResponseEnvelope('SearchCaseFile', `<Root/>`));
      const answered = new Promise((resolve) => late.once('replied', resolve));
      await expect(client.findCase({ sequenceNumber: '24/1' })).rejects.toMatchObject({ code: 'TIMEOUT', errorClass: 'retryable' });
      await answered;
    });

    it('an unknown document type is permanent and nothing is sent', async () => {
      client = new EdocClient(config(), codes);
      const scope = nock(ORIGIN).post(PATH).reply(200, '');
      const err = await client
        .journalDocument({ caseRef: '1', title: 't', documentType: 'Hemmeligt', date: '2026-01-01', pdf: PDF, sourceId: 's' })
        .catch((e) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect(err.code).toBe('EDOC_UNKNOWN_CODE');
      expect(scope.isDone()).toBe(false);
    });

    it('without EDOC_URL every call fails clearly', async () => {
      client = new EdocClient(loadConfig({}), codes);
      await expect(client.findCase({ sequenceNumber: '24/1' })).rejects.toMatchObject({
        code: 'EDOC_NOT_CONFIGURED',
        errorClass: 'permanent',
      });
    });
  });

  describe('NTLM', () => {
    /** A minimal NTLM type 2 (challenge) message with NTLMv2 and target info, as an IIS server sends. */
    function type2(): string {
      const target = Buffer.from('KOMMUNE', 'ucs2');
      const info = Buffer.concat([Buffer.from([2, 0, target.length, 0]), target, Buffer.from([0, 0, 0, 0])]);
      const header = Buffer.alloc(48);
      header.write('NTLMSSP\0', 0, 'ascii');
      header.writeUInt32LE(2, 8);
      header.writeUInt16LE(target.length, 12);
      header.writeUInt16LE(target.length, 14);
      header.writeUInt32LE(48, 16);
      header.writeUInt32LE(0x00000001 | 0x00000200 | 0x00080000 | 0x00800000, 20); // unicode, NTLM, NTLM2 key, target info
      Buffer.from('0123456789abcdef', 'hex').copy(header, 24);
      header.writeUInt16LE(info.length, 40);
      header.writeUInt16LE(info.length, 42);
      header.writeUInt32LE(48 + target.length, 44);
      return Buffer.concat([header, target, info]).toString('base64');
    }

    it('answers the 401 challenge with type 1 then type 3 messages and gets the result', async () => {
      client = new EdocClient(config({ EDOC_AUTH: 'ntlm', EDOC_DOMAIN: 'KOMMUNE' }), codes);
      const seen: string[] = [];
      nock(ORIGIN)
        .post(PATH)
        .reply(function () {
          seen.push(String(this.req.headers.authorization ?? ''));
          return [401, '', { 'WWW-Authenticate': 'NTLM' }];
        })
        .post(PATH)
        .reply(function () {
          seen.push(String(this.req.headers.authorization ?? ''));
          return [401, '', { 'WWW-Authenticate': `NTLM ${type2()}` }];
        })
        .post(PATH)
        .reply(function () {
          seen.push(String(this.req.headers.authorization ?? ''));
          return [
            200,
            buildResponseEnvelope(
              'SearchCaseFile',
              `<Root ${ROOT_NS}><edoc:CaseFilesSearchResult><edoc:CaseFileSearchResult><fesd:CaseFileIdentifier>9</fesd:CaseFileIdentifier></edoc:CaseFileSearchResult></edoc:CaseFilesSearchResult></Root>`,
            ),
          ];
        });
      await expect(client.findCase({ sequenceNumber: '24/1' })).resolves.toEqual({ caseFileIdentifier: '9', sequenceNumber: '24/1' });
      expect(seen[0]).toBe('');
      expect(Buffer.from(seen[1].replace(/^NTLM /, ''), 'base64').readUInt32LE(8)).toBe(1);
      expect(Buffer.from(seen[2].replace(/^NTLM /, ''), 'base64').readUInt32LE(8)).toBe(3);
    });

    it('a 401 that survives the handshake (wrong password) is permanent', async () => {
      client = new EdocClient(config({ EDOC_AUTH: 'ntlm' }), codes);
      nock(ORIGIN)
        .post(PATH)
        .reply(401, '', { 'WWW-Authenticate': 'NTLM' })
        .post(PATH)
        .reply(401, '', { 'WWW-Authenticate': `NTLM ${type2()}` })
        .post(PATH)
        .reply(401, '');
      const err = (await client.findCase({ sequenceNumber: '24/1' }).catch((e) => e)) as IntegrationError;
      expect(err).toBeInstanceOf(PermanentError);
      expect(err.code).toBe('HTTP_401');
    });
  });
});

describe('EdocCodeLists', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edoc-codes-'));

  it('looks names up case-insensitively and rejects unknown names permanently', () => {
    const file = path.join(dir, 'codes.json');
    writeFileSync(
      file,
      JSON.stringify({ documentTypes: { Anmodningsskema: 70001 }, documentStatuses: { Endelig: '6' }, archiveFormats: { PDF: '12' } }),
    );
    const codes = EdocCodeLists.load(file);
    expect(codes.documentType('anmodningsskema')).toBe('70001');
    expect(codes.archiveFormat('PDF')).toBe('12');
    expect(() => codes.documentType('Notat')).toThrow(expect.objectContaining({ code: 'EDOC_UNKNOWN_CODE', errorClass: 'permanent' }));
  });

  it('names the first wrong field of a bad file', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ documentTypes: { Notat: 'abc' }, documentStatuses: {}, archiveFormats: {} }));
    expect(() => EdocCodeLists.load(file)).toThrow(/documentTypes\.Notat/);
    expect(() => EdocCodeLists.load(path.join(dir, 'missing.json'))).toThrow(
      expect.objectContaining({ code: 'EDOC_CODE_LISTS_UNREADABLE' }),
    );
  });
});
