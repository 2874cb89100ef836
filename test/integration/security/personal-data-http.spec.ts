import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { RunningService, startService } from '../../../src/main';
import { validRequest } from '../children/children-fakes';
import { LogCapture } from '../../support/log-capture';
import { findPersonalData, personalData } from '../../support/personal-data';
import { testConfig } from '../../support/test-service';

/**
 * Hostile input, the other way round from personal-data.spec: every seed citizen's CPR number and
 * name is typed into every HTTP input channel – the path (known and unknown routes, any letter case),
 * the query string, headers, Basic credentials, JSON bodies (values and keys), malformed and
 * form-encoded bodies – and no answer (body or header), no log line and no audit record may carry
 * any of it back. Every answer is a 4xx with a fixed text: never a 5xx.
 */
const ADMIN = ['admin', 'test-admin-password'] as const;
const KEY = 'test-intake-key-0123456789';

describe('personal data typed into any HTTP input never comes back in answers, logs or the audit', () => {
  const logs = new LogCapture();
  const pd = personalData();
  let svc: RunningService;
  const http = () => request(svc.baseUrl!);
  const texts: Array<{ source: string; text: string }> = [];
  const statuses: string[] = [];

  beforeAll(async () => {
    const config = testConfig({ LOG_LEVEL: 'debug' });
    svc = await startService({ role: 'api', config, sandboxes: false, logDestination: logs });
  });
  afterAll(() => svc?.stop());

  /** The channels, each a request carrying the probe text (CPR and full name). */
  const channels: Array<[string, (probe: string) => request.Test]> = [
    [
      'children path',
      (p) =>
        http()
          .get(`/children/requests/${encodeURIComponent(p)}`)
          .set('X-Api-Key', KEY),
    ],
    [
      'unknown children path',
      (p) =>
        http()
          .get(`/children/requests/${encodeURIComponent(p)}/x`)
          .set('X-Api-Key', KEY),
    ],
    [
      'upper-case children path',
      (p) =>
        http()
          .post(`/CHILDREN/requests/${encodeURIComponent(p)}/accept`)
          .set('X-Api-Key', KEY)
          .send({}),
    ],
    ['unknown route', (p) => http().get(`/${encodeURIComponent(p)}/x?${encodeURIComponent(p)}=1`)],
    [
      'admin dead letter id',
      (p) =>
        http()
          .get(`/admin/dead-letters/maintenance/${encodeURIComponent(p)}`)
          .auth(...ADMIN),
    ],
    [
      'admin queue name',
      (p) =>
        http()
          .post(`/admin/queues/${encodeURIComponent(p)}/pause`)
          .auth(...ADMIN),
    ],
    [
      'admin district',
      (p) =>
        http()
          .get(`/admin/meetings/${encodeURIComponent(p)}/2026-12-03/status`)
          .auth(...ADMIN),
    ],
    [
      'admin children request',
      (p) =>
        http()
          .get(`/admin/children/requests/${encodeURIComponent(p)}`)
          .auth(...ADMIN),
    ],
    [
      'query',
      (p) =>
        http()
          .post(`/admin/dead-letters/purge?olderThan=${encodeURIComponent(p)}`)
          .auth(...ADMIN),
    ],
    [
      'dashboard path',
      (p) =>
        http()
          .get(`/admin/queues/api/queues/${encodeURIComponent(p)}/${encodeURIComponent(p)}`)
          .auth(...ADMIN),
    ],
    ['intake key header', (p) => http().post('/children/requests').set('X-Api-Key', p).send({})],
    ['basic user', (p) => http().get('/admin/audit').auth(p, 'wrong-password')],
    ['forwarded and other headers', (p) => http().get('/health/ready').set('X-Forwarded-For', p).set('Referer', p).set('X-Request-Id', p)],
    [
      'JSON values',
      (p) =>
        http()
          .post('/children/requests')
          .set('X-Api-Key', KEY)
          .send(validRequest({ child: { cpr: p, name: p }, proposedStart: p, localLeader: { name: p, email: p } })),
    ],
    [
      'JSON unknown keys',
      (p) =>
        http()
          .post('/children/requests')
          .set('X-Api-Key', KEY)
          .send({ ...validRequest(), [p]: p, child: { cpr: '1405194321', name: 'x', [p]: 1 } }),
    ],
    ['malformed JSON, health', (p) => http().post('/health/live').set('Content-Type', 'application/json').send(`{"a":tru ${p}}`)],
    [
      'malformed JSON, upper-case children',
      (p) =>
        http().post('/CHILDREN/requests').set('X-Api-Key', KEY).set('Content-Type', 'application/json').send(`{"child": {"cpr": "${p}"`),
    ],
    [
      'malformed JSON, admin',
      (p) =>
        http()
          .post('/admin/dead-letters/retry-all')
          .auth(...ADMIN)
          .set('Content-Type', 'application/json')
          .send(`[${p}]`),
    ],
    [
      'form body',
      (p) =>
        http()
          .post('/children/requests')
          .set('X-Api-Key', KEY)
          .type('form')
          .send(`child[cpr]=${encodeURIComponent(p)}&%=${p}`),
    ],
    [
      'unsupported charset',
      (p) =>
        http().post('/children/requests').set('X-Api-Key', KEY).set('Content-Type', 'application/json; charset=ebcdic').send(`{"${p}":1}`),
    ],
  ];

  it('plants every seed citizen in every channel and gets fixed 4xx answers', async () => {
    expect(pd.citizens.length).toBeGreaterThanOrEqual(30);
    for (const { cpr, name } of pd.citizens) {
      const dashed = `${cpr.slice(0, 6)}-${cpr.slice(6)}`;
      for (const probe of [`${cpr} ${name}`, `${name} ${dashed}`]) {
        for (const [channel, send] of channels) {
          const res = await send(probe);
          statuses.push(`${channel}: ${res.status}`);
          texts.push({ source: `${channel} answer`, text: `${JSON.stringify(res.headers)}\n${res.text}` });
        }
      }
    }
    expect(statuses.filter((s) => !/: (4\d\d|200)$/.test(s))).toEqual([]);
  });

  it('finds none of it in the answers, the log lines or the audit', async () => {
    texts.push({ source: 'log lines', text: logs.text() });
    texts.push({
      source: 'GET /admin/audit',
      text: (
        await http()
          .get('/admin/audit?limit=10000')
          .auth(...ADMIN)
      ).text,
    });
    const auditDir = path.join(svc.config.DATA_DIR, 'audit');
    for (const f of readdirSafe(auditDir)) texts.push({ source: `audit file ${f}`, text: readFileSync(path.join(auditDir, f), 'utf8') });
    expect(logs.count()).toBeGreaterThan(100);
    expect(findPersonalData(pd, texts)).toEqual([]);
  });
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
