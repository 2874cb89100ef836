import path from 'node:path';
import request from 'supertest';
import type { Clock } from '../../../src/common/clock';
import { RunningService, startService } from '../../../src/main';
import { AcceptLinks } from '../../../src/workflows/children/children.accept-link';
import { ChildrenUnits } from '../../../src/workflows/children/children.units';
import { TestSmtpServer, type ReceivedMail } from '../../support/smtp-test-server';
import { TEST_NOW } from '../../support/test-clock';
import { eventually, testConfig } from '../../support/test-service';
import { validRequest } from './children-fakes';

/**
 * Issue 18 over real HTTP, real workers and a real SMTP server (smtp-server): the unit's mail carries
 * the calendar invitation (text/calendar; method=REQUEST) and the signed accept link; GET on the link
 * shows what is accepted, POST accepts (a second POST changes nothing); a forged or expired link is a
 * clear 4xx; a delegated meeting leader gets the short-notice mail with the local leader in Cc.
 */
const KEY = 'test-intake-key-0123456789';
const SECRET = 'h18-accept-link-secret-for-tests-0123456789';
const PUBLIC = 'https://tsm.solhoej.example';
const FROM = 'Samarbejdsmøder <tsm@solhoej.example>';
const LEADER = 'lene.leder@solhoej.example';
const METTE = 'mette.moedeleder@solhoej.example';
const PERSONAL = ['140519-4321', '1405194321', 'Alma', 'Testbarn', 'Lene Leder', 'Mette', 'trækker sig'];

// TEST_NOW is Thursday 2026-11-26: Monday 2027-01-11 is more than 10 working days away; Monday 2026-11-30 is not.
const LATER = '2027-01-11T10:00:00+01:00';
const SOON = '2026-11-30T10:00:00+01:00';

let svc: RunningService;
let smtp: TestSmtpServer;
const units = ChildrenUnits.load();
let offsetMs = Date.parse(TEST_NOW) - Date.now();
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

beforeAll(async () => {
  smtp = await TestSmtpServer.start({ disabledCommands: ['AUTH', 'STARTTLS'] });
  const config = testConfig({
    SANDBOX_SEED: path.join(__dirname, 'children-seed.json'),
    MAIL_SMTP_URL: smtp.url(),
    MAIL_SMTP_INSECURE: 'true',
    MAIL_FROM: FROM,
    MAIL_SMTP_TIMEOUT_MS: '5000',
    PUBLIC_BASE_URL: PUBLIC,
    CHILDREN_ACCEPT_LINK_SECRET: SECRET,
  });
  svc = await startService({ role: 'all', config, clock, sandboxes: true });
});
afterAll(async () => {
  await svc?.stop();
  await smtp?.stop();
});

const api = () => request(svc.baseUrl!);
const mailWithId = (id: string): Promise<ReceivedMail> =>
  eventually(() => smtp.received.find((m) => m.parsed.messageId === `<${id}@solhoej.example>`)) as Promise<ReceivedMail>;
/** The accept link as the mail has it, and the same path and query on the service under test (the proxy's job in production). */
function linkIn(text: string): { link: URL; local: string } {
  const link = new URL(/https:\/\/tsm\.solhoej\.example\/children\/accept\/\S+/.exec(text)![0]);
  return { link, local: `${link.pathname}${link.search}` };
}

it("the unit's mail carries the ICS and the accept link; GET shows, POST accepts, a second POST is idempotent", async () => {
  const submitted = await api()
    .post('/children/requests')
    .set('X-Api-Key', KEY)
    .send(validRequest({ requestId: 'h18-link-1', proposedStart: LATER }));
  expect(submitted.status).toBe(201);
  const id: string = submitted.body.id;

  // The mail, as the relay received it.
  const mail = await mailWithId(`children-request-${id}`);
  expect(mail.to).toEqual([units.get('ke').mailbox]);
  expect(mail.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
  const ics = mail.parsed.attachments
    .find((a) => a.contentType === 'text/calendar')!
    .content.toString('utf8')
    .replace(/\r\n /g, '');
  expect(ics).toContain('METHOD:REQUEST');
  expect(ics).toContain('DTSTART:20270111T090000Z');
  expect(ics).toContain('DTEND:20270111T100000Z');
  expect(ics).toContain('LOCATION:Solhøj Børnehus\\, Skovvej 1\\, 9999 Solhøj');
  expect(ics).toContain('ORGANIZER:mailto:tsm@solhoej.example');
  for (const s of PERSONAL) expect(ics + (mail.parsed.subject ?? '') + (mail.parsed.text ?? '')).not.toContain(s);
  const { link, local } = linkIn(mail.parsed.text!);
  expect(link.pathname).toBe(`/children/accept/${id}`);
  // Valid until the acceptance deadline: the end of Thursday 2026-12-10 (10 working days after receipt).
  expect(link.searchParams.get('exp')).toBe(String(Date.parse('2026-12-10T23:00:00Z') / 1000));

  // GET: what is accepted, in Danish, without personal data, not cached.
  const page = await api().get(local);
  expect(page.status).toBe(200);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.headers['cache-control']).toBe('no-store');
  expect(page.text).toContain('Acceptér mødet');
  expect(page.text).toContain('Kompetenceenheden (KE)');
  expect(page.text).toContain('mandag den 11. januar 2027');
  for (const s of PERSONAL) expect(page.text).not.toContain(s);
  expect((await api().get(`/children/requests/${id}`).set('X-Api-Key', KEY)).body.acceptedAt).toBeUndefined();

  // POST accepts.
  const accepted = await api().post(local);
  expect(accepted.status).toBe(200);
  expect(accepted.text).toContain('Tak – mødet er accepteret');
  const status = (await api().get(`/children/requests/${id}`).set('X-Api-Key', KEY)).body;
  expect(status).toMatchObject({ status: 'accepted', acceptedAt: expect.any(String), meetings: [{ id: `${id}-m1`, seq: 1 }] });

  // A second POST (a double click, a second person): the same state, said so.
  const again = await api().post(local).set('Accept', 'application/json');
  expect(again.status).toBe(200);
  expect(again.body).toEqual({ requestId: id, meetingId: `${id}-m1`, accepted: true, acceptedAt: status.acceptedAt, duplicate: true });
  expect(accepted.text).not.toBe((await api().post(local)).text); // "allerede accepteret"
  // The API's accept still works, and agrees.
  const viaApi = await api().post(`/children/requests/${id}/accept`).set('X-Api-Key', KEY);
  expect(viaApi.body).toMatchObject({ meetingId: `${id}-m1`, duplicate: true });
  const audit = await api().get(`/admin/children/requests/${id}`).auth('admin', 'test-admin-password');
  expect(audit.body.audit.filter((a: { action: string }) => a.action === 'children.accept')).toHaveLength(1);

  // A forged link: 403 with the code and the Danish text (HTML for people, JSON for a client asking for it).
  const forged = `${link.pathname}?exp=${link.searchParams.get('exp')}&sig=${'A'.repeat(43)}`;
  const bad = await api().post(forged);
  expect(bad.status).toBe(403);
  expect(bad.text).toContain('ACCEPT_LINK_INVALID');
  expect(bad.text).toContain('Linket er ugyldigt');
  const badJson = await api().get(forged).set('Accept', 'application/json');
  expect(badJson.status).toBe(403);
  expect(badJson.body).toMatchObject({
    statusCode: 403,
    code: 'ACCEPT_LINK_INVALID',
    message: { da: expect.stringContaining('ugyldigt'), en: expect.any(String) },
  });
  // The link of one request does not accept another; a path that is no request id is refused the same way.
  expect((await api().get(local.replace(id, '00000000-0000-4000-8000-000000000000'))).status).toBe(403);
  expect((await api().get(`/children/accept/0703381412${link.search}`)).status).toBe(403);

  // Once expired, the link still shows an accepted request (a late second click is not an error).
  offsetMs = Date.parse('2026-12-11T08:00:00Z') - Date.now();
  try {
    expect((await api().get(local)).status).toBe(200);
  } finally {
    offsetMs = Date.parse(TEST_NOW) - Date.now();
  }
});

it('an expired link for a request not accepted: 410 ACCEPT_LINK_EXPIRED; a delegated meeting leader gets the short-notice mail with the local leader in Cc', async () => {
  // The same child with the other unit: its own course.
  const submitted = await api()
    .post('/children/requests')
    .set('X-Api-Key', KEY)
    .send(
      validRequest({
        requestId: 'h18-link-2',
        proposedStart: SOON,
        externalUnits: ['Sundhedstjenesten'],
        meetingLeader: { name: 'Mette Mødeleder', email: METTE },
        parents: [{ name: 'Mor Testbarn', email: 'mor@privat.example' }],
      }),
    );
  expect(submitted.status).toBe(201);
  expect(submitted.body.warnings).toEqual(['MEETING_BEFORE_ACCEPT_DEADLINE']);
  const id: string = submitted.body.id;

  const notice = await mailWithId(`children-short-notice-${id}`);
  expect(notice.to.sort()).toEqual([LEADER, METTE].sort());
  expect(notice.parsed.headers.get('cc')).toMatchObject({ value: [{ address: LEADER }] });
  expect((notice.parsed.to as { value: Array<{ address: string }> }).value.map((v) => v.address)).toEqual([METTE]);

  // A link signed with the service's secret but already past its expiry.
  const expired = new URL(new AcceptLinks(SECRET, PUBLIC).url(id, new Date(Date.parse(TEST_NOW) - 60_000)));
  const res = await api().get(`${expired.pathname}${expired.search}`);
  expect(res.status).toBe(410);
  expect(res.text).toContain('ACCEPT_LINK_EXPIRED');
  expect(res.text).toContain('Linket er udløbet');
  expect((await api().post(`${expired.pathname}${expired.search}`).set('Accept', 'application/json')).body.code).toBe(
    'ACCEPT_LINK_EXPIRED',
  );
  expect((await api().get(`/children/requests/${id}`).set('X-Api-Key', KEY)).body.acceptedAt).toBeUndefined();
});
