import axios from 'axios';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EdocClient } from '../../../adapters/edoc/edoc.client';
import { EdocCodeLists } from '../../../adapters/edoc/edoc.code-lists';
import { buildRequestEnvelope, readFault, soapAction } from '../../../adapters/edoc/edoc.envelope';
import { buildSearchDocument } from '../../../adapters/edoc/edoc.mapper';
import { RunningEdocSandbox, ScriptedFault, startEdocSandbox } from '../../../adapters/edoc/sandbox/edoc.sandbox';
import { loadSeed } from '../../../adapters/shared/sandbox-seed';
import { AuditService } from '../../../src/audit/audit.service';
import { IntegrationError, PermanentError, RetryableError } from '../../../src/common/errors';
import type { AppConfig } from '../../../src/config/config.schema';
import { Ledger } from '../../../src/ledger/ledger';
import {
  DocumentJournal,
  JournalRequest,
  JournalResult,
  journalTitle,
  sourceReference,
} from '../../../src/workflows/journal-document/journal-document.service';
import { testConfig } from '../../support/test-service';

const seed = loadSeed();
const citizen = seed.citizens.find((c) => c.edocCase)!;
const codes = EdocCodeLists.load();

interface Stats {
  calls: Record<string, number>;
  documents: number;
  duplicates: number;
  faults: Record<string, number>;
}

describe('eDoc journaling against the sandbox (real HTTP, real Redis)', () => {
  let sandbox: RunningEdocSandbox;
  let config: AppConfig;
  let redis: Redis;
  let client: EdocClient;
  let ledger: Ledger;
  let audit: AuditService;
  let journal: DocumentJournal;

  const stats = async (): Promise<Stats> => (await axios.get(`${sandbox.baseUrl}/_sandbox/stats`)).data;
  const setFaults = async (body: { errorRate?: number; commitTimeoutRate?: number; latencyMs?: number; script?: ScriptedFault[] }) =>
    axios.post(`${sandbox.baseUrl}/_sandbox/faults`, body);

  /** What a queue does: retry retryable failures (bounded), give up at once on permanent ones. */
  async function withRetries(req: JournalRequest, max = 30): Promise<{ result: JournalResult; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { result: await journal.journal(req), attempts: attempt };
      } catch (err) {
        if (!(err instanceof RetryableError) || attempt >= max) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  const pdf = (text: string) => Buffer.from(`%PDF-1.7\n${text}\n%%EOF`);
  const request = (sourceId: string, extra: Partial<JournalRequest> = {}): JournalRequest =>
    ({
      sourceId,
      kind: 'note',
      caseSequenceNumber: citizen.edocCase!,
      title: 'Tværfagligt samarbejdsmøde',
      documentType: 'Notat',
      date: '2026-12-03',
      pdf: pdf(sourceId),
      noteId: 5001,
      ...extra,
    }) as JournalRequest;

  beforeAll(async () => {
    sandbox = await startEdocSandbox({ seed, codes, cprField: 'edoc:PartyIdentifier', randomSeed: 7 });
    config = testConfig({
      EDOC_URL: sandbox.url,
      EDOC_AUTH: 'basic',
      EDOC_USER: sandbox.user,
      EDOC_PASSWORD: sandbox.password,
      EDOC_TIMEOUT_MS: '250',
      EDOC_CONCURRENCY: '4',
      EDOC_BREAKER_RESET_MS: '100',
    });
    redis = new Redis(process.env.TEST_REDIS_URL!);
    client = new EdocClient(config, codes);
    ledger = new Ledger(redis, config.QUEUE_PREFIX);
    audit = new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'edoc-audit-')), config.QUEUE_PREFIX);
    journal = new DocumentJournal(client, ledger, audit, redis, config);
  });

  afterAll(async () => {
    client.shutdown();
    await redis.quit();
    await sandbox.stop();
  });

  beforeEach(async () => {
    await axios.post(`${sandbox.baseUrl}/_sandbox/reset`);
  });

  it('finds the seeded case by sequence number and by CPR; an unknown one is null', async () => {
    const bySeq = await client.findCase({ sequenceNumber: citizen.edocCase! });
    expect(bySeq).toEqual({
      caseFileIdentifier: expect.stringMatching(/^\d+$/),
      sequenceNumber: citizen.edocCase,
      status: 'Åben',
      open: true,
    });
    await expect(client.findCase({ cpr: citizen.cpr })).resolves.toEqual(bySeq);
    await expect(client.findCase({ sequenceNumber: '99/999999' })).resolves.toBeNull();
  });

  it('journals once, finds the document by its title, and answers a repeat from the ledger', async () => {
    const first = await journal.journal(request('N5001v3'));
    expect(first.outcome).toBe('performed');
    expect(first.title).toMatch(/^Tværfagligt samarbejdsmøde \[tsm:N5001v3\.note\.[0-9a-f]{8}\]$/);
    await expect(client.findDocument({ caseRef: first.caseFileIdentifier!, title: first.title })).resolves.toEqual({
      documentIdentifier: first.documentIdentifier,
      openLink: expect.stringContaining(first.documentIdentifier),
    });

    const again = await journal.journal(request('N5001v3'));
    expect(again).toMatchObject({ outcome: 'recorded', documentIdentifier: first.documentIdentifier });
    const s = await stats();
    expect(s.calls.CreateDocumentAndDocumentVersion).toBe(1);
    expect(s.documents).toBe(1);

    const state = (await axios.get(`${sandbox.baseUrl}/_sandbox/state`)).data;
    const docs = state.cases.flatMap((c: { documents: unknown[] }) => c.documents);
    expect(docs).toEqual([
      expect.objectContaining({
        documentIdentifier: first.documentIdentifier,
        sha256: createHash('sha256').update(pdf('N5001v3')).digest('hex'),
      }),
    ]);
    expect(JSON.stringify(state)).not.toContain('content');

    const trail = await audit.query({ noteId: 5001 });
    expect(trail.map((r) => r.outcome)).toEqual(['ok', 'reused']);
    expect(trail[0].externalIds).toEqual({
      documentIdentifier: first.documentIdentifier,
      caseFileIdentifier: first.caseFileIdentifier,
      openDocument: expect.stringContaining(first.documentIdentifier),
    });
    expect(JSON.stringify(trail)).not.toContain(citizen.cpr);
  });

  it('files by CPR without the CPR reaching the ledger, and new content of the same source is a new document', async () => {
    const a = await journal.journal(
      request('R77', { kind: 'request-form', caseSequenceNumber: undefined, cpr: citizen.cpr } as Partial<JournalRequest>),
    );
    const b = await journal.journal(
      request('R77', {
        kind: 'request-form',
        caseSequenceNumber: undefined,
        cpr: citizen.cpr,
        pdf: pdf('R77 changed'),
      } as Partial<JournalRequest>),
    );
    expect(a.documentIdentifier).not.toBe(b.documentIdentifier);
    expect((await stats()).duplicates).toBe(0);
    const entry = await ledger.get(a.ledgerKey);
    expect(JSON.stringify(entry)).not.toContain(citizen.cpr);
    expect(entry?.meta.caseRef).toBe(a.caseFileIdentifier);
  });

  it('commit-then-time-out: the upload throws retryable, the next attempt finds the stored document instead of uploading', async () => {
    await setFaults({ script: [{ operation: 'CreateDocumentAndDocumentVersion', fault: 'commit-timeout' }] });
    const err = await journal.journal(request('N6001v1')).catch((e) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as IntegrationError).code).toBe('EDOC_OUTCOME_UNKNOWN');
    expect((await stats()).documents).toBe(1); // eDoc did commit

    const second = await journal.journal(request('N6001v1'));
    expect(second.outcome).toBe('reconciled');
    const s = await stats();
    expect(s.calls.CreateDocumentAndDocumentVersion).toBe(1);
    expect(s).toMatchObject({ documents: 1, duplicates: 0 });
  });

  it('a naive client that retries uploads blindly does make duplicates under the same faults (the sandbox can tell)', async () => {
    await setFaults({ script: [{ operation: 'CreateDocumentAndDocumentVersion', fault: 'commit-timeout' }] });
    const caseRef = (await client.findCase({ sequenceNumber: citizen.edocCase! }))!.caseFileIdentifier;
    const naive = { caseRef, title: 'Naiv [x]', documentType: 'Notat', date: '2026-12-03', pdf: pdf('naive'), sourceId: 'x' };
    await expect(client.journalDocument(naive)).rejects.toBeInstanceOf(RetryableError);
    await client.journalDocument(naive);
    expect((await stats()).duplicates).toBe(1);
  });

  it('under a high commit-then-time-out rate and SOAP faults, every source ends with exactly one document', async () => {
    await setFaults({ commitTimeoutRate: 0.5, errorRate: 0.15 });
    const sources = Array.from({ length: 24 }, (_, i) => `N${7000 + i}v1`);
    const results: Array<{ result: JournalResult; attempts: number }> = [];
    // Four at a time, like a small worker pool.
    for (let i = 0; i < sources.length; i += 4) {
      results.push(...(await Promise.all(sources.slice(i, i + 4).map((s) => withRetries(request(s))))));
    }
    const s = await stats();
    expect(s.faults.commitTimeouts).toBeGreaterThan(3);
    expect(s.faults.soapFaults).toBeGreaterThan(0);
    expect(s.documents).toBe(sources.length);
    expect(s.duplicates).toBe(0);
    expect(new Set(results.map((r) => r.result.documentIdentifier)).size).toBe(sources.length);
    expect(results.some((r) => r.result.outcome === 'reconciled')).toBe(true);
  });

  it('crash between ledger begin and complete: the document that landed is found, not uploaded again', async () => {
    const req = request('N8001v2');
    const sha = createHash('sha256').update(req.pdf).digest('hex');
    const title = journalTitle(req.title, sourceReference(req.sourceId, req.kind, sha));
    const key = `edoc:${req.kind}:${req.sourceId}:${sha}`;
    // A worker wrote the ledger entry, uploaded, and died before completing the entry.
    await ledger.begin(key, 'edoc.journal', { sourceId: req.sourceId });
    const caseRef = (await client.findCase({ sequenceNumber: citizen.edocCase! }))!.caseFileIdentifier;
    const landed = await client.journalDocument({
      caseRef,
      title,
      documentType: 'Notat',
      date: req.date,
      pdf: req.pdf,
      sourceId: 'crashed',
    });

    const out = await journal.journal(req);
    expect(out).toMatchObject({ outcome: 'reconciled', documentIdentifier: landed.documentIdentifier });
    expect((await stats()).calls.CreateDocumentAndDocumentVersion).toBe(1);
    expect((await ledger.get(key))?.state).toBe('done');
  });

  it('crash before the upload left the wire: the search finds nothing, so it uploads exactly once', async () => {
    const req = request('N8002v1');
    const sha = createHash('sha256').update(req.pdf).digest('hex');
    await ledger.begin(`edoc:${req.kind}:${req.sourceId}:${sha}`, 'edoc.journal', {});
    const out = await journal.journal(req);
    expect(out.outcome).toBe('performed');
    const s = await stats();
    // One search reconciles (nothing there), one fetches the new document's Links.OpenDocument for the audit.
    expect(s.calls.SearchDocument).toBe(2);
    expect(s.calls.CreateDocumentAndDocumentVersion).toBe(1);
  });

  it('two workers filing the same document at once: one files, the other is told to retry and then reuses it', async () => {
    await setFaults({ latencyMs: 30 });
    const settled = await Promise.allSettled([journal.journal(request('N9001v1')), journal.journal(request('N9001v1'))]);
    const ok = settled.filter((s) => s.status === 'fulfilled');
    const busy = settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason);
    expect(ok).toHaveLength(1);
    expect(busy).toEqual([expect.objectContaining({ code: 'LOCKED', errorClass: 'retryable' })]);
    await expect(journal.journal(request('N9001v1'))).resolves.toMatchObject({ outcome: 'recorded' });
    expect((await stats()).documents).toBe(1);
  });

  it('permanent problems fail at once with a clear code and an audit record', async () => {
    const noCase = await journal.journal(request('N9101v1', { caseSequenceNumber: '11/111111' })).catch((e) => e);
    expect(noCase).toBeInstanceOf(PermanentError);
    expect(noCase.code).toBe('EDOC_CASE_NOT_FOUND');

    const badCase = await journal
      .journal(request('N9102v1', { caseSequenceNumber: undefined, caseRef: '999999' } as Partial<JournalRequest>))
      .catch((e) => e);
    expect(badCase).toBeInstanceOf(PermanentError);
    expect(badCase.code).toBe('EDOC_CASE_NOT_FOUND'); // the case given by id is searched (status) before any upload

    const badType = await journal.journal(request('N9103v1', { documentType: 'Ukendt' })).catch((e) => e);
    expect(badType.code).toBe('EDOC_UNKNOWN_CODE');

    await expect(journal.journal(request('N 1'))).rejects.toMatchObject({ code: 'JOURNAL_BAD_INPUT' });
    await expect(journal.journal(request('N1', { cpr: citizen.cpr } as Partial<JournalRequest>))).rejects.toMatchObject({
      code: 'JOURNAL_BAD_INPUT',
    });

    const failed = (await audit.query({ noteId: 5001 })).filter((r) => r.outcome === 'failed').map((r) => r.reason);
    expect(failed).toEqual(expect.arrayContaining(['EDOC_CASE_NOT_FOUND', 'EDOC_UNKNOWN_CODE']));
    expect((await stats()).documents).toBe(0);
  });

  it('refuses to file on a case that is not open (EDOC_CASE_CLOSED, Danish text, audited like other permanent failures), by CPR, sequence number or case id', async () => {
    const kase = (await client.findCase({ sequenceNumber: citizen.edocCase! }))!;
    await axios.post(`${sandbox.baseUrl}/_sandbox/cases/${kase.caseFileIdentifier}/status`, { status: 'Afsluttet' });
    for (const [i, where] of [
      { cpr: citizen.cpr },
      { caseSequenceNumber: citizen.edocCase! },
      { caseRef: kase.caseFileIdentifier },
    ].entries()) {
      const err = await journal
        .journal({ ...request(`N9201v${i}`, { noteId: 9201 }), caseSequenceNumber: undefined, ...where } as JournalRequest)
        .catch((e) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect(err).toMatchObject({ code: 'EDOC_CASE_CLOSED', errorClass: 'permanent' });
      expect(err.message).toMatch(/^eDoc-sagen er ikke åben/);
      expect(err.message).not.toContain(citizen.cpr);
    }
    const s = await stats();
    expect(s.calls.CreateDocumentAndDocumentVersion ?? 0).toBe(0);
    expect(s.documents).toBe(0);
    const failed = (await audit.query({ noteId: 9201 })).filter((r) => r.outcome === 'failed').map((r) => r.reason);
    expect(failed).toEqual(['EDOC_CASE_CLOSED', 'EDOC_CASE_CLOSED', 'EDOC_CASE_CLOSED']);

    // Reopened, the same request files (the refusal left nothing half-done).
    await axios.post(`${sandbox.baseUrl}/_sandbox/cases/${kase.caseFileIdentifier}/status`, { status: 'Åben' });
    await expect(
      journal.journal({ ...request('N9201v0', { noteId: 9201 }), caseSequenceNumber: undefined, cpr: citizen.cpr } as JournalRequest),
    ).resolves.toMatchObject({ outcome: 'performed' });
  });

  it("keeps eDoc's Links.OpenDocument in the audit record of a filing, also when a repeat is answered from the ledger", async () => {
    const first = await journal.journal(request('N9301v1', { noteId: 9301 }));
    await journal.journal(request('N9301v1', { noteId: 9301 }));
    const records = (await audit.query({ noteId: 9301 })).filter((r) => r.action === 'edoc.journal');
    expect(records.map((r) => r.outcome).sort()).toEqual(['ok', 'reused']);
    for (const r of records) {
      expect(r.externalIds).toMatchObject({
        documentIdentifier: first.documentIdentifier,
        openDocument: `${sandbox.baseUrl}/locator.aspx?name=DMS.Document.Details&module=Document&id=${first.documentIdentifier}`,
      });
    }
  });

  it('fault draws come from the seeded PRNG: after a reset the same calls fail in the same places', async () => {
    const pattern = async () => {
      await setFaults({ errorRate: 0.5 });
      const out: string[] = [];
      // Raw calls (no client breaker in between), so the pattern is the sandbox's own decisions.
      for (let i = 0; i < 20; i++) {
        const res = await axios.post(
          sandbox.url,
          buildRequestEnvelope(
            'SearchDocument',
            buildSearchDocument({ value: 'u', ns: 'edoc', position: 'search' }, { caseFileIdentifier: '200001', title: `t${i}` }),
          ),
          {
            auth: { username: sandbox.user, password: sandbox.password },
            headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: soapAction('SearchDocument') },
            validateStatus: () => true,
          },
        );
        out.push(res.status === 200 ? 'ok' : String(readFault(res.data)?.faultcode));
      }
      return out;
    };
    const first = await pattern();
    await axios.post(`${sandbox.baseUrl}/_sandbox/reset`);
    const second = await pattern();
    expect(first).toEqual(second);
    expect(first).toContain('ok');
    expect(first).toContain('soap:Server');
  });

  it('the sandbox rejects wrong credentials and a wrong SOAPAction like a real ASMX service', async () => {
    const wrong = new EdocClient({ ...config, EDOC_PASSWORD: 'wrong-password' }, codes);
    await expect(wrong.findCase({ sequenceNumber: citizen.edocCase! })).rejects.toMatchObject({
      code: 'HTTP_401',
      errorClass: 'permanent',
    });
    wrong.shutdown();
    const res = await axios.post(sandbox.url, '<x/>', {
      auth: { username: sandbox.user, password: sandbox.password },
      headers: { 'Content-Type': 'text/xml', SOAPAction: '"http://tempuri.org/SearchCaseFile"' },
      validateStatus: () => true,
    });
    expect(res.status).toBe(500);
    expect(res.data).toContain('soap:Client');
  });
});
