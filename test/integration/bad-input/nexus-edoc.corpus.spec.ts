import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import { Ledger } from '../../../src/ledger/ledger';
import type { RunningService } from '../../../src/main';
import type { NoteFlowPayload } from '../../../queues/jobs/after-meeting.jobs';
import { AfterMeetingStore } from '../../../src/workflows/after-meeting/after-meeting.store';
import { eventually, startTestService } from '../../support/test-service';

/**
 * Broken and hostile answers from Nexus and eDoc (test/corpus/nexus, test/corpus/edoc) served to a
 * real 'edoc.journal-note' job on the real queue: a permanent failure is dead-lettered at once with
 * its classified reason (code and ids, never the CPR or name an answer echoed), a retryable one is
 * kept for another attempt with the reason recorded, an upload of unknown outcome is reconciled
 * before anything is uploaded again, and a link to a foreign origin is refused before any request
 * leaves (SSRF). Nothing is lost: every job ends done, queued for retry, or in the dead letters.
 */
const NEXUS_CORPUS = path.join(__dirname, '..', '..', 'corpus', 'nexus');
const EDOC_CORPUS = path.join(__dirname, '..', '..', 'corpus', 'edoc');
const NEXUS = 'http://nexus.corpus.test';
const BASE = '/api/core/mobile/corpus/v2';
const EDOC = 'http://edoc.corpus.test';
const CPR = ['241299-9991', '2412999991'];
const NAME = ['Korpus', 'Testesen'];

const nexusFile = (name: string, noteId = 0) =>
  readFileSync(path.join(NEXUS_CORPUS, name), 'utf8').replace(/\{\{noteId\}\}/g, String(noteId));
const edocFile = (name: string) => readFileSync(path.join(EDOC_CORPUS, name), 'utf8');

// Un-patch http for the next test file in this Jest worker (nock's interceptor is process-wide).
afterAll(() => nock.restore());

describe('bad answers from Nexus and eDoc through a real after-meeting job', () => {
  let svc: RunningService;
  let gw: QueueGateway;
  let nextNote = 7001;
  /** What the fake systems answer for the case under test. */
  const forms: Record<number, { status: number; body: string; type: string }> = {};
  let patients = nexusFile('ok.patients.json');
  let edoc: Record<string, string[]> = {};
  const edocCalls: Record<string, number> = {};
  let attacker: nock.Scope;

  beforeAll(async () => {
    nock(NEXUS)
      .persist()
      .post('/authx/realms/corpus/protocol/openid-connect/token')
      .reply(200, { access_token: 'corpus-token', expires_in: 3600 })
      .get(`${BASE}/`)
      .reply(200, nexusFile('ok.home.json'), { 'Content-Type': 'application/json' })
      .get(new RegExp(`^${BASE}/forms/\\d+$`))
      .reply((uri) => {
        const f = forms[Number(uri.split('/').pop())];
        return [f?.status ?? 404, f?.body ?? '{}', { 'Content-Type': f?.type ?? 'application/json' }];
      })
      .get(`${BASE}/patients`)
      .query({ ids: '7101' })
      .reply(() => [200, patients, { 'Content-Type': 'application/json' }])
      .get(`${BASE}/patients/7101`)
      .reply(200, nexusFile('ok.patient.json'), { 'Content-Type': 'application/json' });
    attacker = nock('http://attacker.example').persist().get(/.*/).reply(200, nexusFile('ok.patient.json'));
    nock(EDOC)
      .persist()
      .post('/edoc.asmx')
      .reply(function reply() {
        const op = String(this.req.headers.soapaction ?? '')
          .replace(/^"?http:\/\/tempuri\.org\//, '')
          .replace(/"$/, '');
        edocCalls[op] = (edocCalls[op] ?? 0) + 1;
        const queue = edoc[op] ?? [];
        const file = queue.length > 1 ? queue.shift()! : queue[0];
        if (!file) return [500, 'no answer scripted'];
        const body = edocFile(file);
        return [/Fault/.test(body) ? 500 : 200, body, { 'Content-Type': 'text/xml; charset=utf-8' }];
      });
    svc = await startTestService(
      'all',
      {
        NEXUS_BASE_URL: `${NEXUS}${BASE}/`,
        NEXUS_TOKEN_URL: `${NEXUS}/authx/realms/corpus/protocol/openid-connect/token`,
        NEXUS_CLIENT_ID: 'tsm-bridge',
        NEXUS_CLIENT_SECRET: 'corpus-client-secret',
        NEXUS_READ_RETRY_DELAY_MS: '0',
        EDOC_URL: `${EDOC}/edoc.asmx`,
        EDOC_AUTH: 'basic',
        EDOC_USER: 'svc-tsm',
        EDOC_PASSWORD: 'corpus-edoc-password',
      },
      { sandboxes: false },
    );
    gw = svc.app.get(QueueGateway);
  });
  afterAll(async () => {
    await svc?.stop();
    nock.cleanAll();
  });

  /** Runs one 'edoc.journal-note' job for a fresh note and waits until its first attempt is over. */
  async function runJob(form: { status?: number; body?: string; type?: string } = {}) {
    const noteId = nextNote++;
    forms[noteId] = {
      status: form.status ?? 200,
      body: form.body ?? nexusFile('ok.form-locked.json', noteId),
      type: form.type ?? 'application/json',
    };
    const payload: NoteFlowPayload = { noteId, noteVersion: 2, districtId: 'solhoej', meetingDate: '2026-12-03' };
    const jobId = `corpus-${noteId}`;
    // What the watch records when it reads a locked note: its self link and citizen, so the step reads it by one GET.
    await svc.app.get(AfterMeetingStore).markEnqueued({ ...payload, noteHref: `${NEXUS}${BASE}/forms/${noteId}`, citizenId: 7101 });
    await gw.enqueue('edoc.journal-note', payload, { jobId });
    const state = await eventually(async () => {
      const s = await gw.jobState('edoc', jobId);
      const job = await gw.queue('edoc').getJob(jobId);
      return ['completed', 'failed'].includes(s) || (s === 'delayed' && job?.attemptsMade) ? s : undefined;
    }, 15_000);
    const job = (await gw.queue('edoc').getJob(jobId))!;
    return { noteId, jobId, state, job, reason: job.failedReason ?? '' };
  }

  const noPersonalData = (text: string) => {
    for (const s of [...CPR, ...NAME]) expect(text).not.toContain(s);
  };

  describe('Nexus', () => {
    beforeEach(() => {
      patients = nexusFile('ok.patients.json');
      edoc = {
        SearchCaseFile: ['ok.search-case.xml'],
        SearchDocument: ['ok.search-document-none.xml'],
        CreateDocumentAndDocumentVersion: ['ok.create.xml'],
      };
    });

    const formCases = readdirSync(NEXUS_CORPUS).filter((n) => /^NEXUS_\w+\.form-/.test(n));
    it.each(formCases)('a form answered as %s is dead-lettered with its code', async (file) => {
      const type = file.endsWith('.txt') ? 'text/html' : 'application/json';
      const { state, reason, jobId } = await runJob({ body: nexusFile(file, nextNote), type });
      expect(state).toBe('failed');
      expect(reason).toMatch(new RegExp(`^\\[${file.split('.')[0]}\\] `));
      const dead = await gw.deadLetter(`edoc/${jobId}`);
      expect(dead?.reason).toBe(reason);
      noPersonalData(reason);
    });

    const patientCases = readdirSync(NEXUS_CORPUS).filter((n) => /^NEXUS_\w+\.patients-/.test(n));
    it.each(patientCases)(
      'a citizen answered as %s is dead-lettered with its code, and no request reaches a foreign origin',
      async (file) => {
        patients = nexusFile(file);
        const before = attacker.pendingMocks().length;
        const { state, reason } = await runJob();
        expect(state).toBe('failed');
        expect(reason).toMatch(new RegExp(`^\\[${file.split('.')[0]}\\] `));
        expect(attacker.isDone()).toBe(false); // its interceptor was never used
        expect(attacker.pendingMocks().length).toBe(before);
        noPersonalData(reason);
      },
    );

    it('a forged link is not remembered: the next job for the same citizen succeeds once Nexus answers correctly', async () => {
      patients = nexusFile('NEXUS_LINK_ORIGIN.patients-foreign-origin-link.json');
      expect((await runJob()).state).toBe('failed');
      patients = nexusFile('ok.patients.json');
      const { state, job } = await runJob();
      expect(state).toBe('completed');
      expect(job.returnvalue).toEqual({ documentId: '7c0a5e1e-0000-4000-8000-00000000c0de' });
    });

    it('a 400 whose body quotes the CPR and name is dead-lettered with the status and the reason code only', async () => {
      const body = JSON.stringify({ message: 'Borger 241299-9991 Korpus Testesen kan ikke læses', reason: 'PatientLocked' });
      const { state, reason } = await runJob({ status: 400, body });
      expect(state).toBe('failed');
      expect(reason).toMatch(/^\[HTTP_400\] .*PatientLocked/);
      noPersonalData(reason);
    });

    it('a 503 that never ends is retried, not dead-lettered: the job waits for its next attempt with the reason', async () => {
      const { state, job, reason } = await runJob({ status: 503, body: 'Service Unavailable', type: 'text/plain' });
      expect(state).toBe('delayed');
      expect(job.attemptsMade).toBe(1);
      expect(reason).toMatch(/HTTP_503/);
      await job.remove();
    });
  });

  describe('eDoc', () => {
    const cases = readdirSync(EDOC_CORPUS).filter((n) => /^(permanent|retryable|unknown-outcome)\./.test(n));
    const scripted = (file: string): Record<string, string[]> =>
      file.includes('.create-')
        ? {
            SearchCaseFile: ['ok.search-case.xml'],
            SearchDocument: ['ok.search-document-none.xml'],
            CreateDocumentAndDocumentVersion: [file],
          }
        : { SearchCaseFile: [file] };

    it.each(cases.filter((n) => n.startsWith('permanent.')))(
      '%s: dead-lettered at once with the code, no CPR or name in the reason',
      async (file) => {
        edoc = scripted(file);
        const { state, reason, job, noteId } = await runJob();
        const code = file.split('.')[1];
        expect(state).toBe('failed');
        expect(job.attemptsMade).toBe(1);
        expect(reason).toContain(code);
        noPersonalData(reason);
        const audit = await svc.app.get(AuditService).query({ noteId });
        expect(audit).toEqual(
          expect.arrayContaining([expect.objectContaining({ action: 'edoc.journal', outcome: 'failed', reason: code })]),
        );
        for (const r of audit) noPersonalData(JSON.stringify(r));
      },
    );

    it.each(cases.filter((n) => n.startsWith('retryable.')))('%s: kept for another attempt with the code as reason', async (file) => {
      edoc = scripted(file);
      const { state, reason, job } = await runJob();
      expect(state).toBe('delayed');
      expect(reason).toContain(file.split('.')[1]);
      noPersonalData(reason);
      await job.remove();
    });

    it.each(cases.filter((n) => n.startsWith('unknown-outcome.')))(
      '%s: the next attempt finds the document instead of uploading it again',
      async (file) => {
        edoc = scripted(file);
        const creates = edocCalls.CreateDocumentAndDocumentVersion ?? 0;
        const { state, reason, job, noteId, jobId } = await runJob();
        expect(state).toBe('delayed');
        expect(reason).toMatch(/EDOC_OUTCOME_UNKNOWN/);
        expect(reason).toContain(file.split('.')[1]);
        const entry = await svc.app.get(Ledger).get(`edoc:meeting-note:nexus-note-${noteId}-v2:${await ledgerSha(noteId)}`);
        expect(entry).toMatchObject({ state: 'pending', meta: expect.objectContaining({ outcome: 'unknown' }) });

        // eDoc did store it after all: the reconcile search finds it, and no second upload happens.
        edoc = { SearchDocument: ['ok.search-document-found.xml'], CreateDocumentAndDocumentVersion: ['ok.create.xml'] };
        await job.promote();
        await eventually(async () => (await gw.jobState('edoc', jobId)) === 'completed', 15_000);
        expect(edocCalls.CreateDocumentAndDocumentVersion).toBe(creates + 1);
        expect((await gw.queue('edoc').getJob(jobId))?.returnvalue).toEqual({ documentId: 'a1c0ffee-0000-4000-8000-00000000f00d' });
      },
    );
  });

  /** The ledger key carries the PDF's hash: read it from the pending entry's key. */
  async function ledgerSha(noteId: number): Promise<string> {
    const redis = svc.app.get(Ledger) as unknown as { redis: { keys(p: string): Promise<string[]> } };
    const [key] = await redis.redis.keys(`${svc.config.QUEUE_PREFIX}:ledger:edoc:meeting-note:nexus-note-${noteId}-v2:*`);
    return key.split(':').pop()!;
  }
});
