import { WorkingDayCalendar } from '../../../src/domain/working-days';
import { ChildrenRequestError } from '../../../src/workflows/children/children.errors';
import { ChildrenIntake, ChildrenSettings } from '../../../src/workflows/children/children.intake';
import { ChildrenStore } from '../../../src/workflows/children/children.store';
import { anotherChild, CHILD_CPR, FakeJobs, NOW, PDF_BYTES, redisContext, validAgreement, validRequest } from './children-fakes';

const settings: ChildrenSettings = {
  acceptWorkingDays: 10,
  homeVisitWindowExempt: false,
  followUpDays: 90,
};

function setup(over: Partial<ChildrenSettings> = {}, now = NOW) {
  const ctx = redisContext();
  const store = new ChildrenStore(ctx.redis, ctx.prefix, { formSeconds: 30 * 86_400, recordSeconds: 365 * 86_400 });
  const jobs = new FakeJobs();
  let clock = now;
  const intake = new ChildrenIntake(store, jobs, ctx.audit, new WorkingDayCalendar(), { ...settings, ...over }, () => clock);
  const keys = () => ctx.redis.keys(`${ctx.prefix}:children-store:*`);
  return { ...ctx, store, jobs, intake, keys, setNow: (d: Date) => (clock = d) };
}

async function refused(p: Promise<unknown>): Promise<ChildrenRequestError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChildrenRequestError);
  return err as ChildrenRequestError;
}

const contexts: Array<ReturnType<typeof setup>> = [];
afterAll(async () => {
  for (const c of contexts) await c.redis.quit();
});
const make = (...a: Parameters<typeof setup>) => {
  const c = setup(...a);
  contexts.push(c);
  return c;
};

describe('submit', () => {
  it('stores the request, keeps the form apart (with a TTL), and schedules routing and the deadline', async () => {
    const t = make();
    const res = await t.intake.submit(validRequest({ proposedStart: '2026-04-09T10:00:00+02:00' }));
    expect(res).toEqual({ id: expect.any(String), status: 'received', duplicate: false, invitation: 'mail', warnings: [] });

    const r = (await t.store.get(res.id))!;
    expect(r).toMatchObject({ unit: 'ke', localUnitType: 'dagtilbud', placeType: 'dagtilbud', proposedStart: '2026-04-09T08:00:00.000Z' });
    // Wednesday 2026-03-18 + 10 working days = Wednesday 2026-04-01; due at the midnight ending it (CEST).
    expect(r.deadlineAt).toBe('2026-04-01T22:00:00.000Z');
    expect(t.jobs.routes).toEqual([res.id]);
    expect(t.jobs.deadlines).toEqual([{ requestId: res.id, delayMs: Date.parse('2026-04-01T22:00:00Z') - NOW.getTime() }]);

    // The record holds ids and times only; the personal data sits in the form key, which expires.
    const hash = JSON.stringify(await t.redis.hgetall(`${t.prefix}:children-store:req:${res.id}`));
    expect(hash).not.toContain(CHILD_CPR);
    expect(hash).not.toContain('Alma');
    expect(hash).not.toContain('trækker sig');
    const ttl = async (k: string) => t.redis.ttl(`${t.prefix}:children-store:req:${k}`);
    expect(await ttl(`${res.id}:form`)).toBeGreaterThan(30 * 86_400 - 60);
    expect(await ttl(`${res.id}:form`)).toBeLessThanOrEqual(30 * 86_400);
    expect(await ttl(res.id)).toBeGreaterThan(365 * 86_400 - 60);
    expect((await t.store.getForm(res.id))!.child.cpr).toBe(CHILD_CPR);
  });

  it('counts the deadline over Easter for a request on the Wednesday before Easter 2027', async () => {
    const t = make({}, new Date('2027-03-24T13:00:00Z'));
    const res = await t.intake.submit(validRequest({ proposedStart: '2027-04-15T10:00:00+02:00' }));
    expect((await t.store.get(res.id))!.deadlineAt).toBe('2027-04-12T22:00:00.000Z');
  });

  it('a meeting sooner than 10 working days: accepted with a warning, due the end of the working day before the meeting', async () => {
    const t = make({}, new Date('2027-03-24T13:00:00Z'));
    // Wednesday before Easter 2027 → Monday 5 April: the working day before is Friday 2 April; 10 working days would end Monday 12 April.
    const res = await t.intake.submit(validRequest({ proposedStart: '2027-04-05T10:00:00+02:00' }));
    expect(res).toMatchObject({ duplicate: false, warnings: ['MEETING_BEFORE_ACCEPT_DEADLINE'] });
    expect((await t.store.get(res.id))!.deadlineAt).toBe('2027-04-02T22:00:00.000Z');
    // A re-submission answers with the same warnings.
    expect(await t.intake.submit(validRequest({ proposedStart: '2027-04-05T10:00:00+02:00' }))).toMatchObject({
      duplicate: true,
      warnings: ['MEETING_BEFORE_ACCEPT_DEADLINE'],
    });
  });

  it('a configured delay never puts the reminder after the meeting start', async () => {
    const t = make({ deadlineDelayMs: 30 * 86_400_000 });
    const res = await t.intake.submit(validRequest());
    expect((await t.store.get(res.id))!.deadlineAt).toBe('2026-03-23T09:00:00.000Z');
  });

  it("with the default clock under jest's fake Date: around Christmas 2026 the deadline skips juledag and nytårsdag", async () => {
    // Only Date is faked: Redis I/O keeps its real timers.
    jest.useFakeTimers({
      now: new Date('2026-12-21T10:00:00Z'),
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      const t = make();
      const { store, jobs } = t;
      const intake = new ChildrenIntake(store, jobs, t.audit, new WorkingDayCalendar(), settings); // no clock: Date.now()
      const res = await intake.submit(validRequest({ proposedStart: '2027-01-07T10:00:00+01:00' }));
      // Mon 21 Dec + 10 working days = Wed 6 Jan 2027 (24 and 31 Dec count, 25 Dec and 1 Jan do not).
      expect((await store.get(res.id))!.deadlineAt).toBe('2027-01-06T23:00:00.000Z');
      expect(jobs.deadlines[0].delayMs).toBe(Date.parse('2027-01-06T23:00:00Z') - Date.parse('2026-12-21T10:00:00Z'));
    } finally {
      jest.useRealTimers();
    }
  });

  it('uses the configured delay instead of working days when set (demos, tests)', async () => {
    const t = make({ deadlineDelayMs: 250 });
    const res = await t.intake.submit(validRequest());
    expect((await t.store.get(res.id))!.deadlineAt).toBe(new Date(NOW.getTime() + 250).toISOString());
    expect(t.jobs.deadlines[0].delayMs).toBe(250);
  });

  it('returns the same request for the same requestId or the same content', async () => {
    const t = make();
    const first = await t.intake.submit(validRequest({ requestId: 'os2forms-123' }));
    const again = await t.intake.submit(validRequest({ requestId: 'os2forms-123' }));
    const sameContent = await t.intake.submit(validRequest());
    const sameContentOtherKey = await t.intake.submit(validRequest({ requestId: 'os2forms-999' }));
    expect(again).toEqual({ ...first, duplicate: true });
    expect(sameContent.id).toBe(first.id);
    expect(sameContentOtherKey.id).toBe(first.id);
    expect(await t.redis.zcard(`${t.prefix}:children-store:requests`)).toBe(1);
    // A repeat re-enqueues (same job ids, so the queue keeps one job): covers a first call that died before enqueueing.
    expect(new Set(t.jobs.routes)).toEqual(new Set([first.id]));
    const audit = await t.audit.query({ requestId: first.id });
    expect(audit.filter((a) => a.action === 'children.intake').map((a) => a.outcome)).toEqual(['ok', 'reused', 'reused', 'reused']);
  });

  it('treats whitespace-only differences as the same content', async () => {
    const t = make();
    const a = await t.intake.submit(validRequest());
    const b = await t.intake.submit(validRequest({ description: `  ${String(validRequest().description)}  ` }));
    expect(b.id).toBe(a.id);
  });

  it('gives one request to identical submissions racing each other', async () => {
    const t = make();
    const results = await Promise.all(Array.from({ length: 8 }, () => t.intake.submit(validRequest())));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await t.redis.zcard(`${t.prefix}:children-store:requests`)).toBe(1);
  });

  it('refuses a requestId reused for different content (409), storing nothing new', async () => {
    const t = make();
    await t.intake.submit(validRequest({ requestId: 'k1' }));
    const keysBefore = (await t.keys()).sort();
    const err = await refused(t.intake.submit(validRequest({ requestId: 'k1', description: 'Noget andet.' })));
    expect(err).toMatchObject({ status: 409, code: 'REQUEST_ID_REUSED' });
    expect((await t.keys()).sort()).toEqual(keysBefore);
  });

  it.each([
    ['not an object', 'hello'],
    ['null', null],
    ['empty object', {}],
    ['CPR malformed', validRequest({ child: { cpr: '12345' } })],
    [
      'attachment not a PDF',
      validRequest({
        attachments: [{ filename: 'x.pdf', contentType: 'application/pdf', base64: Buffer.from('nope').toString('base64') }],
      }),
    ],
  ])('malformed body (%s) → 400 VALIDATION_FAILED, nothing stored', async (_what, body) => {
    const t = make();
    const err = await refused(t.intake.submit(body));
    expect(err.status).toBe(400);
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details.issues!.length).toBeGreaterThan(0);
    expect(await t.keys()).toEqual([]);
    expect(t.jobs.routes).toEqual([]);
  });

  it('a field issue message never echoes the input', async () => {
    const t = make();
    const err = await refused(t.intake.submit(validRequest({ child: { cpr: '320119-4321' } })));
    expect(JSON.stringify(err.details)).not.toContain('320119');
  });

  it.each([
    ['no consent', { consentGiven: false }, 'CONSENT_MISSING'],
    ['two units', { externalUnits: ['KE', 'Sundhedstjenesten'] }, 'USE_TVAERFAGLIGT_DIALOGMOEDE'],
    ['Ungeenheden', { externalUnits: ['Ungeenheden'] }, 'UNIT_NOT_ALLOWED'],
    ['Tuesday', { proposedStart: '2026-03-24T10:00:00+01:00' }, 'OUTSIDE_MEETING_WINDOW'],
  ])('rule broken (%s) → 422 %s, nothing stored', async (_what, patch, code) => {
    const t = make();
    const err = await refused(t.intake.submit(validRequest(patch)));
    expect(err).toMatchObject({ status: 422, code });
    expect(err.bilingual.da).toBeTruthy();
    expect(err.bilingual.en).toBeTruthy();
    expect(await t.keys()).toEqual([]);
  });

  const homeVisit = { localUnit: { name: 'Sundhedsplejen Nord', type: 'sundhedspleje' }, place: { type: 'hjem', address: 'Hjemmevej 3' } };

  it('refuses a health visitor home meeting outside the windows by default (Tuesday), storing nothing', async () => {
    const t = make();
    const err = await refused(t.intake.submit(validRequest({ ...homeVisit, proposedStart: '2026-03-24T10:00:00+01:00' })));
    expect(err).toMatchObject({ status: 422, code: 'OUTSIDE_MEETING_WINDOW' });
    expect(await t.keys()).toEqual([]);
  });

  it('refuses Monday 14:00:30: the hour ends 15:00:30, after the window', async () => {
    const t = make();
    const err = await refused(t.intake.submit(validRequest({ proposedStart: '2026-03-23T14:00:30+01:00' })));
    expect(err).toMatchObject({ status: 422, code: 'OUTSIDE_MEETING_WINDOW' });
  });

  it('a health visitor home meeting inside a window is invited by phone: invitation "telefonisk"; others "mail"', async () => {
    const t = make();
    const home = await t.intake.submit(validRequest({ ...homeVisit, proposedStart: '2026-03-23T10:00:00+01:00' }));
    expect(home).toMatchObject({ duplicate: false, invitation: 'telefonisk' });
    const school = await t.intake.submit(validRequest({ child: { cpr: '010118-1111' }, place: { type: 'hjem', address: 'Hjemmevej 3' } }));
    expect(school.invitation).toBe('mail');
  });

  it('the exemption is still a switch (CHILDREN_HOME_VISIT_WINDOW_EXEMPT=true)', async () => {
    const t = make({ homeVisitWindowExempt: true });
    const res = await t.intake.submit(validRequest({ ...homeVisit, proposedStart: '2026-03-24T16:30:00+01:00' }));
    expect(res).toMatchObject({ duplicate: false, invitation: 'telefonisk' });
  });

  it('takes attachments', async () => {
    const t = make();
    const res = await t.intake.submit(
      validRequest({
        attachments: [{ filename: 'PPR-vurdering.pdf', contentType: 'application/pdf', base64: PDF_BYTES.toString('base64') }],
      }),
    );
    expect((await t.store.getForm(res.id))!.attachments).toHaveLength(1);
  });
});

/** The afternoon of the meeting (Monday 2026-03-23 10:00 local): the meeting has been held. */
const AFTER_MEETING = new Date('2026-03-23T13:00:00Z');

describe('one course per child and unit', () => {
  it('a second request for the same child and unit, at another time: 409 COURSE_ALREADY_OPEN with the open request id', async () => {
    const t = make();
    const first = await t.intake.submit(validRequest());
    const before = await t.keys();
    const err = await refused(t.intake.submit(validRequest({ proposedStart: '2026-04-09T10:00:00+02:00', description: 'Et nyt forsøg.' })));
    expect(err).toMatchObject({ status: 409, code: 'COURSE_ALREADY_OPEN', details: { openRequestId: first.id } });
    expect(err.bilingual.da).toContain('åbent forløb');
    expect((await t.keys()).sort()).toEqual(before.sort());
    // The CPR with or without the dash is the same child; a unit name written otherwise is the same unit.
    expect(
      await refused(
        t.intake.submit(validRequest({ child: { cpr: '1405194321' }, externalUnits: ['Kompetence-enheden'], description: 'Igen.' })),
      ),
    ).toMatchObject({ code: 'COURSE_ALREADY_OPEN' });
    // The same child with the other unit, or another child with this unit, is a course of its own.
    expect((await t.intake.submit(validRequest({ externalUnits: ['Sundhedstjenesten'] }))).duplicate).toBe(false);
    expect((await t.intake.submit(validRequest({ child: { cpr: '010118-1111' } }))).duplicate).toBe(false);
    // The course key is no CPR.
    expect(JSON.stringify(await t.redis.hgetall(`${t.prefix}:children-store:req:${first.id}`))).not.toMatch(/1405194321|140519-4321/);
  });

  it('closing the course (with a reason) lets a new request start a new course; close is idempotent', async () => {
    const t = make();
    const first = await t.intake.submit(validRequest());
    expect(await refused(t.intake.close(first.id, {}))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const closed = await t.intake.close(first.id, { reason: 'Forløbet er afsluttet efter opfølgende møde.' });
    expect(closed).toMatchObject({ requestId: first.id, status: 'closed', closedAt: NOW.toISOString(), duplicate: false });
    expect((await t.intake.close(first.id, { reason: 'Igen.' })).duplicate).toBe(true);
    expect((await t.intake.view(first.id)).status).toBe('closed');
    const second = await t.intake.submit(validRequest({ proposedStart: '2026-04-09T10:00:00+02:00' }));
    expect(second.duplicate).toBe(false);
    expect(second.id).not.toBe(first.id);
  });

  it('a course not closed lapses 12 months (configurable) after its last meeting', async () => {
    const t = make({ courseOpenMonths: 6 });
    const first = await t.intake.submit(validRequest()); // meeting Monday 2026-03-23
    t.setNow(new Date('2026-09-22T10:00:00Z'));
    expect(await refused(t.intake.submit(validRequest({ proposedStart: '2026-09-24T10:00:00+02:00' })))).toMatchObject({
      code: 'COURSE_ALREADY_OPEN',
    });
    t.setNow(new Date('2026-09-23T10:00:00Z'));
    const next = await t.intake.submit(validRequest({ proposedStart: '2026-10-01T10:00:00+02:00' }));
    expect(next.id).not.toBe(first.id);
  });
});

describe('accept, agreement, follow-up', () => {
  /** Submitted and accepted; the clock then moves to the afternoon of the meeting. */
  async function accepted(t: ReturnType<typeof setup>) {
    const { id } = await t.intake.submit(validRequest());
    const acc = await t.intake.accept(id);
    t.setNow(AFTER_MEETING);
    return { id, meetingId: acc.meetingId };
  }

  it('refuses an agreement form for a meeting whose start is in the future: 409 MEETING_NOT_HELD, nothing stored', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest());
    const { meetingId } = await t.intake.accept(id);
    const err = await refused(t.intake.recordAgreement(meetingId, validAgreement()));
    expect(err).toMatchObject({ status: 409, code: 'MEETING_NOT_HELD' });
    expect(err.bilingual.da).toContain('ikke afholdt');
    // Nor with a meetingDate in the future.
    t.setNow(AFTER_MEETING);
    expect(await refused(t.intake.recordAgreement(meetingId, validAgreement({ meetingDate: '2026-03-23T15:00:00+01:00' })))).toMatchObject({
      status: 409,
      code: 'MEETING_NOT_HELD',
    });
    expect(await t.store.getAgreement(meetingId)).toBeNull();
    expect(t.jobs.agreements).toEqual([]);
    // Once it has started, it is recorded.
    expect(await t.intake.recordAgreement(meetingId, validAgreement())).toMatchObject({ duplicate: false, status: 'meeting-held' });
  });

  it('accept is idempotent and creates the first meeting', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest());
    const a = await t.intake.accept(id);
    const b = await t.intake.accept(id);
    expect(a).toMatchObject({ meetingId: `${id}-m1`, status: 'accepted', duplicate: false });
    expect(b).toMatchObject({ meetingId: `${id}-m1`, duplicate: true });
    expect((await t.intake.view(id)).meetings).toEqual([{ id: `${id}-m1`, seq: 1, scheduledStart: '2026-03-23T09:00:00.000Z' }]);
  });

  it('unknown or odd ids are 404, never a Redis error', async () => {
    const t = make();
    expect(await refused(t.intake.accept('nope'))).toMatchObject({ status: 404, code: 'REQUEST_NOT_FOUND' });
    expect(await refused(t.intake.view('00000000-0000-0000-0000-000000000000'))).toMatchObject({ status: 404 });
    expect(await refused(t.intake.recordAgreement('x:agreement', validAgreement()))).toMatchObject({
      status: 404,
      code: 'MEETING_NOT_FOUND',
    });
  });

  it('records the agreement once, schedules journaling and the follow-up check', async () => {
    const t = make({ followUpDays: 30 });
    const { id, meetingId } = await accepted(t);
    const res = await t.intake.recordAgreement(meetingId, validAgreement());
    expect(res).toMatchObject({ meetingId, status: 'meeting-held', duplicate: false });
    expect(t.jobs.agreements).toEqual([meetingId]);
    // 30 days after the meeting (2026-03-23 10:00 local), from "now".
    expect(t.jobs.followUps).toEqual([
      { requestId: id, delayMs: Date.parse('2026-03-23T09:00:00Z') + 30 * 86_400_000 - AFTER_MEETING.getTime() },
    ]);

    const again = await t.intake.recordAgreement(meetingId, validAgreement());
    expect(again.duplicate).toBe(true);
    const other = await refused(t.intake.recordAgreement(meetingId, validAgreement({ agreements: 'Noget helt andet.' })));
    expect(other).toMatchObject({ status: 409, code: 'AGREEMENT_ALREADY_RECORDED' });
    expect((await t.store.getAgreement(meetingId))!.agreements).toBe(validAgreement().agreements);
  });

  it('refuses an agreement before acceptance', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest());
    await t.store.createMeeting(id, 1, '2026-03-23T09:00:00.000Z');
    expect(await refused(t.intake.recordAgreement(`${id}-m1`, validAgreement()))).toMatchObject({ status: 409, code: 'NOT_ACCEPTED' });
  });

  it('a follow-up date in the agreement creates the next meeting and no follow-up check', async () => {
    const t = make();
    const { id, meetingId } = await accepted(t);
    const res = await t.intake.recordAgreement(meetingId, validAgreement({ followUpMeetingDate: '2026-04-16T09:30:00+02:00' }));
    expect(res).toMatchObject({ status: 'follow-up-scheduled', followUpMeetingId: `${id}-m2` });
    expect(t.jobs.followUps).toEqual([]);
    const view = await t.intake.view(id);
    expect(view.meetings.map((m) => [m.id, m.scheduledStart])).toEqual([
      [`${id}-m1`, '2026-03-23T09:00:00.000Z'],
      [`${id}-m2`, '2026-04-16T07:30:00.000Z'],
    ]);
    // A repeated call creates nothing more, even once the follow-up date has passed.
    t.setNow(new Date('2026-04-20T10:00:00Z'));
    const again = await t.intake.recordAgreement(meetingId, validAgreement({ followUpMeetingDate: '2026-04-16T09:30:00+02:00' }));
    expect(again.duplicate).toBe(true);
    expect((await t.intake.view(id)).meetings).toHaveLength(2);
  });

  it('a follow-up outside the windows is refused before anything is stored', async () => {
    const t = make();
    const { meetingId } = await accepted(t);
    const err = await refused(t.intake.recordAgreement(meetingId, validAgreement({ followUpMeetingDate: '2026-04-15T09:30:00+02:00' })));
    expect(err).toMatchObject({ status: 422, code: 'OUTSIDE_MEETING_WINDOW' });
    expect(await t.store.getAgreement(meetingId)).toBeNull();
    expect(t.jobs.agreements).toEqual([]);
  });

  it('sets and moves a follow-up meeting later', async () => {
    const t = make();
    const { id, meetingId } = await accepted(t);
    expect(await refused(t.intake.setFollowUp(id, { start: '2026-04-16T09:30:00+02:00' }))).toMatchObject({
      status: 409,
      code: 'NO_MEETING_HELD',
    });
    await t.intake.recordAgreement(meetingId, validAgreement());
    const set = await t.intake.setFollowUp(id, { start: '2026-04-16T09:30:00+02:00' });
    const moved = await t.intake.setFollowUp(id, { start: '2026-04-20T10:00:00+02:00' });
    expect(set.meetingId).toBe(`${id}-m2`);
    expect(moved.meetingId).toBe(`${id}-m2`);
    const view = await t.intake.view(id);
    expect(view.status).toBe('follow-up-scheduled');
    expect(view.followUpMeetingStart).toBe('2026-04-20T08:00:00.000Z');
    expect(view.meetings[1].scheduledStart).toBe('2026-04-20T08:00:00.000Z');
    expect(await refused(t.intake.setFollowUp(id, { start: 'soon' }))).toMatchObject({ status: 400 });
  });

  it('lists by derived status, newest first', async () => {
    const t = make();
    const a = await t.intake.submit(validRequest());
    t.setNow(new Date(NOW.getTime() + 1000));
    const b = await t.intake.submit(validRequest({ child: anotherChild(), description: 'Et andet barn.' }));
    await t.intake.accept(a.id);
    expect((await t.intake.list({ limit: 10 })).map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await t.intake.list({ status: 'accepted', limit: 10 })).map((r) => r.id)).toEqual([a.id]);
    expect((await t.intake.list({ status: 'received', limit: 10 })).map((r) => r.id)).toEqual([b.id]);
  });
});
