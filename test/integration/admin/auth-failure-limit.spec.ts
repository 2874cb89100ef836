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
    expect(blocked.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: 'too many refused sign-ins from this address; try again later' });
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
