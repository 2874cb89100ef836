import request from 'supertest';
import type { RunningService } from '../../../src/main';
import { startTestService } from '../../support/test-service';

const PASSWORD = 'test-admin-password'; // testConfig's ADMIN_PASSWORD
const KEY = 'test-intake-key-0123456789'; // testConfig's INTAKE_API_KEY

/** Guessing credentials: refused sign-ins per address are limited; right ones never count. */
describe('refused sign-ins are limited per client address (AUTH_FAILURE_LIMIT)', () => {
  let svc: RunningService;
  const http = () => request(svc.baseUrl!);
  beforeEach(async () => {
    svc = await startTestService('api', { AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_MIN: '15' }, { sandboxes: false });
  });
  afterEach(() => svc.stop());

  it('counts only 401s; after the limit the address gets 429 with Retry-After, right credentials included; health stays open', async () => {
    for (let i = 0; i < 5; i++) expect((await http().get('/admin/dead-letters').auth('admin', PASSWORD)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await http().get('/admin/dead-letters').auth('admin', `guess-${i}-password`)).status).toBe(401);

    const blocked = await http().get('/admin/dead-letters').auth('admin', PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'too many refused sign-ins from this address; try again later',
    });
    expect((await http().get('/metrics').auth('admin', PASSWORD)).status).toBe(429);
    expect((await http().get('/health/live')).status).toBe(200);
  });

  it('counts wrong intake keys with wrong admin passwords: one limit per address', async () => {
    const intake = () => http().post('/children/requests').set('Authorization', 'Bearer not-the-key-000000000').send({});
    expect((await intake()).status).toBe(401);
    expect((await intake()).status).toBe(401);
    expect((await http().get('/admin/audit').auth('admin', 'wrong-password')).status).toBe(401);
    expect((await http().post('/children/requests').set('Authorization', `Bearer ${KEY}`).send({})).status).toBe(429);
  });
});

/** X-Forwarded-For is client-written text: only the entries the configured proxies wrote may count. */
describe('a rotating X-Forwarded-For cannot defeat the sign-in limit', () => {
  let svc: RunningService | undefined;
  const http = () => request(svc!.baseUrl!);
  afterEach(async () => {
    await svc?.stop();
    svc = undefined;
  });
  const guess = (i: number, xff: string) => http().get('/admin/audit').auth('admin', `guess-${i}-password`).set('X-Forwarded-For', xff);

  it('without TRUST_PROXY the peer address counts, whatever the header says', async () => {
    svc = await startTestService('api', { AUTH_FAILURE_LIMIT: '3' }, { sandboxes: false });
    for (let i = 0; i < 3; i++) expect((await guess(i, `198.51.100.${i}`)).status).toBe(401);
    expect((await guess(3, '198.51.100.3')).status).toBe(429);
  });

  it("behind one proxy (TRUST_PROXY=1) the address the proxy appended counts, not the client's forged entries", async () => {
    svc = await startTestService('api', { AUTH_FAILURE_LIMIT: '3', TRUST_PROXY: '1' }, { sandboxes: false });
    // The proxy appends the address it saw (203.0.113.7) to whatever the client sent.
    for (let i = 0; i < 3; i++) expect((await guess(i, `198.51.100.${i}, 203.0.113.7`)).status).toBe(401);
    expect((await guess(3, '198.51.100.3, 203.0.113.7')).status).toBe(429);
    // Another real client behind the same proxy still gets in.
    expect((await http().get('/admin/audit').auth('admin', PASSWORD).set('X-Forwarded-For', '203.0.113.8')).status).toBe(200);
  });

  it("with the proxy's address or CIDR (TRUST_PROXY=127.0.0.0/8) the same holds", async () => {
    svc = await startTestService('api', { AUTH_FAILURE_LIMIT: '3', TRUST_PROXY: '127.0.0.0/8' }, { sandboxes: false });
    for (let i = 0; i < 3; i++) expect((await guess(i, `198.51.100.${i}, 203.0.113.7`)).status).toBe(401);
    expect((await guess(3, '198.51.100.3, 203.0.113.7')).status).toBe(429);
  });
});
