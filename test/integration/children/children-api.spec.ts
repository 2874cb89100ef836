import fc from 'fast-check';
import Redis from 'ioredis';
import request from 'supertest';
import type { RunningService } from '../../../src/main';
import { metricsRegistry } from '../../../src/metrics/metrics';
import { startTestService } from '../../support/test-service';
import { anotherChild, validAgreement, validRequest } from './children-fakes';

/**
 * The children API over real HTTP (api role: no workers, so nothing is routed): authentication,
 * refusals with their codes, nothing stored on a refusal, the OpenAPI description, and fuzzing.
 */
const KEY = 'test-intake-key-0123456789';
let svc: RunningService;
let redis: Redis;
// A start that is always in the future and inside the Monday window.
const start = '2030-01-07T10:00:00+01:00';

beforeAll(async () => {
  svc = await startTestService('api');
  redis = new Redis(svc.redisOptions);
});
afterAll(async () => {
  await redis.quit();
  await svc.stop();
});

// KEYS answers in no particular order: compare as sorted sets.
const storedKeys = async () => (await redis.keys(`${svc.config.QUEUE_PREFIX}:children-store:*`)).sort();
const post = (path: string) => request(svc.baseUrl!).post(path).set('Authorization', `Bearer ${KEY}`);

describe('authentication', () => {
  it.each([
    ['no key', {}],
    ['wrong bearer', { Authorization: 'Bearer not-the-key-000000000' }],
    ['wrong X-Api-Key', { 'X-Api-Key': 'nope' }],
    ['admin Basic credentials', { Authorization: `Basic ${Buffer.from('admin:test-admin-password').toString('base64')}` }],
  ])('%s → 401 with a code and nothing stored', async (_what, headers) => {
    const res = await request(svc.baseUrl!)
      .post('/children/requests')
      .set(headers)
      .send(validRequest({ proposedStart: start }));
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'UNAUTHORIZED', message: { da: expect.any(String), en: expect.any(String) } });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(await storedKeys()).toEqual([]);
  });

  it('401 on every intake route without a key', async () => {
    const id = '00000000-0000-0000-0000-000000000000';
    for (const [method, path] of [
      ['get', `/children/requests/${id}`],
      ['post', `/children/requests/${id}/accept`],
      ['post', `/children/requests/${id}/follow-up`],
      ['post', `/children/requests/${id}/close`],
      ['post', `/children/meetings/${id}-m1/agreement`],
    ] as const) {
      expect((await request(svc.baseUrl!)[method](path)).status).toBe(401);
    }
  });

  it('accepts the key as Bearer or as X-Api-Key', async () => {
    const a = await request(svc.baseUrl!)
      .post('/children/requests')
      .set('X-Api-Key', KEY)
      .send(validRequest({ proposedStart: start, child: anotherChild(), description: 'Via X-Api-Key.' }));
    const b = await post('/children/requests').send(
      validRequest({ proposedStart: start, child: anotherChild(), description: 'Via Bearer.' }),
    );
    expect([a.status, b.status]).toEqual([201, 201]);
  });

  it('admin status needs the admin Basic credentials, not the intake key', async () => {
    expect((await request(svc.baseUrl!).get('/admin/children/requests').set('Authorization', `Bearer ${KEY}`)).status).toBe(401);
    const ok = await request(svc.baseUrl!).get('/admin/children/requests?status=received').auth('admin', 'test-admin-password');
    expect(ok.status).toBe(200);
    expect(Array.isArray(ok.body)).toBe(true);
    const bad = await request(svc.baseUrl!).get('/admin/children/requests?status=nonsense').auth('admin', 'test-admin-password');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('UNKNOWN_STATUS');
  });
});

describe('refusals', () => {
  it('malformed JSON → 400, nothing stored', async () => {
    const before = await storedKeys();
    const res = await post('/children/requests').set('Content-Type', 'application/json').send('{"child": {"cpr": "140519-4321"');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'MALFORMED_JSON', message: { da: expect.any(String), en: expect.any(String) } });
    expect(res.text).not.toContain('140519'); // the parser's own message would quote the body
    expect(await storedKeys()).toEqual(before);
  });

  it('malformed JSON on any route and in any letter case → 400 with a fixed text, never the body', async () => {
    const bad = '{"a":tru 0703381412 Anna Prøvesen}';
    const upper = await request(svc.baseUrl!)
      .post('/CHILDREN/requests')
      .set('X-Api-Key', KEY)
      .set('Content-Type', 'application/json')
      .send(bad);
    expect(upper.status).toBe(400);
    expect(upper.body).toEqual({
      statusCode: 400,
      code: 'MALFORMED_JSON',
      message: { da: 'Indholdet er ikke gyldig JSON.', en: 'The body is not valid JSON.' },
    });
    const health = await request(svc.baseUrl!).post('/health/live').set('Content-Type', 'application/json').send(bad);
    expect(health.status).toBe(400);
    expect(health.body).toEqual({ statusCode: 400, error: 'Bad Request', code: 'MALFORMED_JSON', message: 'The body is not valid JSON.' });
  });

  it('an unknown path → 404 with a fixed text, never the path', async () => {
    const res = await post('/children/requests/0703381412/x').send({});
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: { da: 'Adressen findes ikke.', en: 'No such address.' } });
    const other = await request(svc.baseUrl!).get('/Anna/0703381412');
    expect(other.body).toEqual({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND', message: 'No such address.' });
  });

  it('unknown keys → 400 that counts them, never names them', async () => {
    const res = await post('/children/requests').send({ ...validRequest({ proposedStart: start }), '0703381412 Anna Prøvesen': 1 });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([
      { path: '(body)', code: 'unrecognized_keys', message: 'Unrecognized key(s) (1); the form accepts only its documented fields' },
    ]);
  });

  it('a body that is not JSON → 400 VALIDATION_FAILED', async () => {
    const res = await post('/children/requests').set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('a body over the 5 MB limit → 413', async () => {
    const huge = validRequest({ proposedStart: start, description: 'x'.repeat(6 * 1024 * 1024) });
    const res = await post('/children/requests').send(huge);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('BODY_TOO_LARGE');
  });

  it('validation → 400 with every failing field and nothing stored', async () => {
    const before = await storedKeys();
    const res = await post('/children/requests').send(
      validRequest({ child: { cpr: 'abc' }, localLeader: { name: 'L' }, proposedStart: 'tomorrow' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['child.cpr', 'localLeader.email', 'proposedStart']);
    expect(await storedKeys()).toEqual(before);
  });

  it.each([
    [{ consentGiven: false }, 'CONSENT_MISSING'],
    [{ externalUnits: ['Sundhedstjenesten', 'KE'] }, 'USE_TVAERFAGLIGT_DIALOGMOEDE'],
    [{ externalUnits: ['Børne- og Familierådgivningen'] }, 'UNIT_NOT_ALLOWED'],
    [{ proposedStart: '2030-01-07T16:00:00+01:00' }, 'OUTSIDE_MEETING_WINDOW'],
  ])('%j → 422 %s with Danish and English messages', async (patch, code) => {
    const before = await storedKeys();
    const res = await post('/children/requests').send(validRequest({ proposedStart: start, ...patch }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ statusCode: 422, code, message: { da: expect.any(String), en: expect.any(String) } });
    expect(res.body.violations[0].code).toBe(code);
    expect(await storedKeys()).toEqual(before);
  });

  it('counts refusals by code in the metrics (no ids, no personal data)', async () => {
    await post('/children/requests').send(validRequest({ proposedStart: start, consentGiven: false }));
    await post('/children/requests').send({});
    const text = await metricsRegistry.getSingleMetricAsString('tsm_children_requests_total');
    expect(text).toMatch(/tsm_children_requests_total\{outcome="refused",code="CONSENT_MISSING"\} [1-9]/);
    expect(text).toMatch(/code="VALIDATION_FAILED"/);
    expect(text).not.toMatch(/140519|Alma/);
  });

  it('unknown ids → 404', async () => {
    const res = await request(svc.baseUrl!).get('/children/requests/does-not-exist').set('X-Api-Key', KEY);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('REQUEST_NOT_FOUND');
    expect((await post('/children/meetings/nope/agreement').send(validAgreement())).body.code).toBe('MEETING_NOT_FOUND');
  });
});

describe('submit and status over HTTP', () => {
  it('201 first, 200 with the same id on re-submission; the status carries no personal data', async () => {
    const body = validRequest({
      proposedStart: start,
      child: { cpr: '140519-4321', name: 'Alma Testbarn' },
      requestId: 'api-resubmit-1',
      description: 'Gensendt anmodning.',
    });
    const a = await post('/children/requests').send(body);
    const b = await post('/children/requests').send(body);
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(b.body).toEqual({ ...a.body, duplicate: true });
    const status = await request(svc.baseUrl!).get(`/children/requests/${a.body.id}`).set('X-Api-Key', KEY);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ id: a.body.id, status: 'received', unit: 'ke', meetings: [] });
    const text = JSON.stringify(status.body);
    for (const s of ['140519', 'Alma', 'Lene', 'lene.leder', 'Gensendt']) expect(text).not.toContain(s);
  });
});

describe('the seed over HTTP (issue 18)', () => {
  const homeVisit = { localUnit: { name: 'Sundhedsplejen Nord', type: 'sundhedspleje' }, place: { type: 'hjem', address: 'Hjemmevej 3' } };

  it.each([
    ['a home meeting on a Tuesday', { ...homeVisit, proposedStart: '2030-01-08T10:00:00+01:00' }],
    ['Monday 14:00:30 (ends 15:00:30)', { proposedStart: '2030-01-07T14:00:30+01:00' }],
  ])('%s → 422 OUTSIDE_MEETING_WINDOW', async (_what, patch) => {
    const res = await post('/children/requests').send(validRequest({ child: anotherChild(), ...patch }));
    expect([res.status, res.body.code]).toEqual([422, 'OUTSIDE_MEETING_WINDOW']);
  });

  it('"Kompetence-enheden" is KE; a health visitors\' home meeting answers invitation "telefonisk"', async () => {
    const ke = await post('/children/requests').send(
      validRequest({ child: anotherChild(), externalUnits: ['Kompetence-enheden'], proposedStart: start }),
    );
    expect(ke.status).toBe(201);
    expect(ke.body).toEqual({ id: ke.body.id, status: 'received', duplicate: false, invitation: 'mail', warnings: [] });
    expect((await request(svc.baseUrl!).get(`/children/requests/${ke.body.id}`).set('X-Api-Key', KEY)).body.unit).toBe('ke');
    const home = await post('/children/requests').send(validRequest({ child: anotherChild(), ...homeVisit, proposedStart: start }));
    expect([home.status, home.body.invitation]).toEqual([201, 'telefonisk']);
  });

  it('a meeting 2 working days away → 201 with warnings:["MEETING_BEFORE_ACCEPT_DEADLINE"], due before the meeting', async () => {
    // The service clock starts Thursday 2026-11-26 09:00; the meeting is Monday 2026-11-30 10:00.
    const res = await post('/children/requests').send(validRequest({ child: anotherChild(), proposedStart: '2026-11-30T10:00:00+01:00' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ duplicate: false, warnings: ['MEETING_BEFORE_ACCEPT_DEADLINE'] });
    const view = (await request(svc.baseUrl!).get(`/children/requests/${res.body.id}`).set('X-Api-Key', KEY)).body;
    expect(view.acceptanceDeadline).toBe('2026-11-27T23:00:00.000Z'); // end of Friday 27 November
  });

  it('a second request for the same child and unit → 409 COURSE_ALREADY_OPEN with the open id; after close a new course', async () => {
    const child = anotherChild();
    const first = await post('/children/requests').send(validRequest({ child, proposedStart: start }));
    expect(first.status).toBe(201);
    const second = await post('/children/requests').send(
      validRequest({ child, proposedStart: '2030-01-10T10:00:00+01:00', description: 'Igen.' }),
    );
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      code: 'COURSE_ALREADY_OPEN',
      openRequestId: first.body.id,
      message: { da: expect.any(String), en: expect.any(String) },
    });
    expect(second.text).not.toContain(child.cpr.slice(0, 6));
    const closed = await post(`/children/requests/${first.body.id}/close`).send({ reason: 'Forløbet er afsluttet.' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ requestId: first.body.id, status: 'closed' });
    const third = await post('/children/requests').send(
      validRequest({ child, proposedStart: '2030-01-10T10:00:00+01:00', description: 'Igen.' }),
    );
    expect(third.status).toBe(201);
  });

  it('an agreement for a meeting whose start is in the future → 409 MEETING_NOT_HELD', async () => {
    const created = await post('/children/requests').send(validRequest({ child: anotherChild(), proposedStart: start }));
    const accepted = await post(`/children/requests/${created.body.id}/accept`);
    const res = await post(`/children/meetings/${accepted.body.meetingId}/agreement`).send(validAgreement());
    expect([res.status, res.body.code]).toEqual([409, 'MEETING_NOT_HELD']);
  });
});

describe('OpenAPI', () => {
  it('is served without a key, OpenAPI 3.1, generated from the zod schemas, every $ref resolvable', async () => {
    const res = await request(svc.baseUrl!).get('/children/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    const schemas = doc.components.schemas;
    expect(schemas.ChildrenRequest.required).toEqual(
      expect.arrayContaining([
        'child',
        'consentGiven',
        'localUnit',
        'localLeader',
        'externalUnits',
        'proposedStart',
        'place',
        'description',
      ]),
    );
    expect(schemas.ChildrenRequest.properties.localUnit.properties.type.enum).toEqual(['dagtilbud', 'skole', 'sundhedspleje']);
    expect(schemas.ChildrenRequest.properties.attachments.items).toEqual({ $ref: '#/components/schemas/Attachment' });
    expect(schemas.Attachment.properties.contentType.const).toBe('application/pdf');
    expect(schemas.AgreementForm.properties.followUpMeetingDate.format).toBe('date-time');
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(schemas[r]).toBeDefined();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/children/requests',
        '/children/requests/{id}/accept',
        '/children/meetings/{id}/agreement',
        '/children/accept/{id}',
      ]),
    );
    expect(schemas.ChildrenRequest.properties.parents.items.required).toEqual(['name']);
    expect(schemas.ChildrenRequest.properties.meetingLeader.required).toEqual(['name', 'email']);
    const link = JSON.stringify(doc.paths['/children/accept/{id}']);
    for (const code of ['ACCEPT_LINK_INVALID', 'ACCEPT_LINK_EXPIRED']) expect(link).toContain(code);
  });
});

describe('fuzzing the intake', () => {
  const statusOf = async (body: unknown) => {
    const res = await post('/children/requests').set('Content-Type', 'application/json').send(JSON.stringify(body));
    return res;
  };

  it('arbitrary JSON bodies never crash and never get a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        const res = await statusOf(body);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(typeof res.body.code).toBe('string');
      }),
      { numRuns: 150 },
    );
  });

  it('valid forms with one field replaced by arbitrary JSON never get a 5xx', async () => {
    const base = validRequest({ proposedStart: start });
    const key = fc.constantFrom(...Object.keys(base), 'requestId', 'parents', 'meetingLeader');
    await fc.assert(
      fc.asyncProperty(key, fc.jsonValue(), async (k, v) => {
        const res = await statusOf({ ...base, [k]: v });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(typeof res.body.code).toBe('string');
      }),
      { numRuns: 150 },
    );
  });

  it('arbitrary ids on the id routes never get a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 80 }), async (raw) => {
        const id = encodeURIComponent(raw);
        const a = await request(svc.baseUrl!).get(`/children/requests/${id}`).set('X-Api-Key', KEY);
        const b = await post(`/children/meetings/${id}/agreement`).send(validAgreement());
        expect(a.status).toBeLessThan(500);
        expect(b.status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
  });

  it('arbitrary accept links (id, exp, sig) never get a 5xx: 403 ACCEPT_LINK_INVALID', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 60 }),
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 60 }),
        async (id, exp, sig) => {
          const path = `/children/accept/${encodeURIComponent(id)}?exp=${encodeURIComponent(exp)}&sig=${encodeURIComponent(sig)}`;
          const get = await request(svc.baseUrl!).get(path).set('Accept', 'application/json');
          const postRes = await request(svc.baseUrl!).post(path);
          expect([get.status, get.body.code]).toEqual([403, 'ACCEPT_LINK_INVALID']);
          expect(postRes.status).toBe(403);
        },
      ),
      { numRuns: 60 },
    );
  });
});
