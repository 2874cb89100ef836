import fc from 'fast-check';
import Redis from 'ioredis';
import request from 'supertest';
import { QueueGateway } from '../../../queues/queue.gateway';
import type { RunningService } from '../../../src/main';
import { validAgreement, validRequest } from '../children/children-fakes';
import { startTestService } from '../../support/test-service';

/**
 * The children intake API under arbitrary and hostile bodies, through a service that runs workers
 * (so anything accepted by mistake would be routed): every refusal is a 4xx with a code, never a 5xx;
 * nothing is stored, nothing is queued, and the answer never echoes the child's CPR or name.
 */
const KEY = 'test-intake-key-0123456789';
const START = '2030-01-07T10:00:00+01:00';
const CHILD_CPR = '1405194321';

let svc: RunningService;
let redis: Redis;

beforeAll(async () => {
  svc = await startTestService('all', {}, { sandboxes: false });
  redis = new Redis(svc.redisOptions);
});
afterAll(async () => {
  await redis.quit();
  await svc.stop();
});

const stored = async () => new Set(await redis.keys(`${svc.config.QUEUE_PREFIX}:children-store:*`));
/** Requests a mutation left valid (an extra field, say) are accepted; their keys keep changing while workers route them. */
const accepted: string[] = [];
/** Keys a refusal added: anything new that belongs to no accepted request. */
const addedBy = (before: Set<string>, after: Set<string>) =>
  [...after].filter((k) => !before.has(k) && !accepted.some((id) => k.includes(id)));
const queued = async () => {
  const c = (await svc.app.get(QueueGateway).jobCounts()).children;
  return Object.values(c).reduce((a, b) => a + b, 0);
};
const post = (path: string) => request(svc.baseUrl!).post(path).set('X-Api-Key', KEY);

/** JSON values with the shapes that break parsers: deep nesting, huge strings, prototype keys, numbers at the edges. */
const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(
    { __proto__: { admin: true } },
    JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'),
    { child: { cpr: CHILD_CPR, name: 'Alma Testbarn' }, consentGiven: 'yes' },
    { child: { cpr: `${CHILD_CPR}0`, name: 'Alma Testbarn' } },
    { externalUnits: new Array(1000).fill('Kompetenceenheden (KE)') },
    { description: 'x'.repeat(200_000) },
    { proposedStart: 1e308 },
    { proposedStart: -1 },
    [validRequest({ proposedStart: START })],
    JSON.parse(`${'['.repeat(500)}${']'.repeat(500)}`),
  ),
);

/** A valid form with one field replaced (or removed, or the form given twice as a nested field). */
const mutatedForm = fc
  .tuple(
    fc.constantFrom(...Object.keys(validRequest({ proposedStart: START })), 'requestId', 'extra'),
    fc.option(hostileJson, { nil: undefined }),
  )
  .map(([key, value]) => {
    const form: Record<string, unknown> = validRequest({ proposedStart: START, requestId: undefined });
    if (value === undefined) delete form[key];
    else form[key] = value;
    return form;
  });

describe('children intake under arbitrary input (fast-check)', () => {
  it('arbitrary and hostile bodies: 4xx with a code, never 5xx, nothing stored or queued, nothing echoed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileJson, mutatedForm), async (body) => {
        const before = await stored();
        const res = await post('/children/requests').set('Content-Type', 'application/json').send(JSON.stringify(body));
        if (res.status < 300) {
          // A mutation that left a valid form (e.g. an extra field) is accepted (200 when it repeats an earlier one).
          expect([200, 201]).toContain(res.status);
          accepted.push(res.body.id);
          return;
        }
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(typeof res.body.code).toBe('string');
        expect(res.text).not.toContain(CHILD_CPR);
        expect(res.text).not.toContain('Alma');
        expect(addedBy(before, await stored())).toEqual([]);
      }),
      { numRuns: 200 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bodies that are not JSON at all: 4xx with a code, nothing stored', async () => {
    const before = await stored();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'text/plain',
          'application/xml',
          'application/x-www-form-urlencoded',
          'application/json',
          'application/octet-stream',
          'multipart/form-data; boundary=x',
        ),
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.constant(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`),
          fc.constant('{"child":'),
        ),
        async (type, raw) => {
          const res = await post('/children/requests').set('Content-Type', type).send(raw);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(typeof res.body.code).toBe('string');
        },
      ),
      { numRuns: 120 },
    );
    expect(addedBy(before, await stored())).toEqual([]);
  });

  it('agreements, follow-ups and acceptances for unknown or hostile ids: 4xx, nothing stored or queued', async () => {
    const before = await stored();
    const queuedBefore = await queued();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 120 }),
        fc.oneof(hostileJson, fc.constant(validAgreement())),
        async (id, body) => {
          const json = (path: string) =>
            post(path)
              .set('Content-Type', 'application/json')
              .send(JSON.stringify(body) ?? 'null');
          const a = await json(`/children/meetings/${encodeURIComponent(id)}/agreement`);
          const b = await json(`/children/requests/${encodeURIComponent(id)}/follow-up`);
          const c = await post(`/children/requests/${encodeURIComponent(id)}/accept`).send({});
          for (const res of [a, b, c]) {
            expect(res.status).toBeGreaterThanOrEqual(400);
            expect(res.status).toBeLessThan(500);
          }
        },
      ),
      { numRuns: 80 },
    );
    expect(addedBy(before, await stored())).toEqual([]);
    expect(await queued()).toBe(queuedBefore);
  });
});
