import { PermanentError, RetryableError } from '../../../src/common/errors';
import { ChildrenUnits } from '../../../src/workflows/children/children.units';
import { CHILD_CASE, CHILD_CPR, NOW, PDF_BYTES, validAgreement, validRequest as baseRequest, childrenSteps } from './children-fakes';

/** Thursday 2026-04-09 10:00, more than 10 working days after NOW: the unit has its full 10 days. */
const LATER = '2026-04-09T10:00:00+02:00';
const validRequest = (o: Record<string, unknown> = {}) => baseRequest({ proposedStart: LATER, ...o });
/** The afternoon of that meeting: it has been held. */
const AFTER = new Date('2026-04-09T12:00:00Z');

const units = ChildrenUnits.load();
const KE_MAILBOX = units.get('ke').mailbox;
const LEADER = 'lene.leder@solhoej.example';

const setup = () => childrenSteps();

const contexts: Array<ReturnType<typeof setup>> = [];
afterAll(async () => {
  for (const c of contexts) await c.redis.quit();
});
const make = () => {
  const c = setup();
  contexts.push(c);
  return c;
};

/** Subject and body of every mail: the personal data travels only in the PDFs. */
function expectNoPersonalData(text: string) {
  for (const s of [CHILD_CPR, CHILD_CPR.replace('-', ''), 'Alma', 'Testbarn', 'Lene Leder', 'trækker sig', 'overgangsritualer'])
    expect(text).not.toContain(s);
}

describe('children.route', () => {
  it("mails the form to the unit's central mailbox, journals it on the child's case, then deletes the form", async () => {
    const t = make();
    const attachment = { filename: 'PPR-vurdering.pdf', contentType: 'application/pdf', base64: PDF_BYTES.toString('base64') };
    const { id } = await t.intake.submit(validRequest({ attachments: [attachment] }));
    expect(await t.route.run(id)).toBe('routed');

    const mail = t.notify.delivered.get(`children-request-${id}`)!;
    expect(mail.to).toEqual([KE_MAILBOX]);
    expect(mail.attachments!.map((a) => a.filename)).toEqual([`anmodningsskema-${id}.pdf`, 'PPR-vurdering.pdf', 'samarbejdsmoede.ics']);
    expect(mail.attachments![0].content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(mail.attachments![1].content.equals(PDF_BYTES)).toBe(true);
    expectNoPersonalData(mail.subject + mail.body);
    expect(mail.subject).toContain('svar senest onsdag den 1. april 2026');

    const docs = [...t.journal.filed.values()];
    expect(docs.map((d) => [d.sourceId, d.kind, d.caseFileIdentifier])).toEqual([
      [`children-request-${id}`, 'request-form', CHILD_CASE],
      [`children-request-${id}-bilag-1`, 'request-attachment', CHILD_CASE],
    ]);
    expect(docs[0]).toMatchObject({ cpr: CHILD_CPR, date: '2026-03-18', documentType: 'Notat', requestId: id });
    expect(docs[0].pdf.equals(mail.attachments![0].content)).toBe(true);

    const view = await t.intake.view(id);
    expect(view).toMatchObject({
      status: 'journaled',
      routedAt: NOW.toISOString(),
      journaledAt: NOW.toISOString(),
      formDeletedAt: NOW.toISOString(),
    });
    expect(await t.store.getForm(id)).toBeNull();
    expect((await t.store.get(id))!.caseRef).toBe(CHILD_CASE);
    const audit = await t.audit.query({ requestId: id });
    expect(audit.map((a) => a.action)).toContain('notify.children-request');
    expect(JSON.stringify(audit)).not.toContain(CHILD_CPR);
  });

  it("a health visitors' home meeting is invited by phone: no mail to the central mailbox, still journaled", async () => {
    const t = make();
    const { id, invitation } = await t.intake.submit(
      validRequest({
        localUnit: { name: 'Sundhedsplejen Nord', type: 'sundhedspleje' },
        place: { type: 'hjem', address: 'Hjemmevej 3' },
      }),
    );
    expect(invitation).toBe('telefonisk');
    expect(await t.route.run(id)).toBe('routed');
    expect(t.notify.sendCalls).toBe(0);
    expect([...t.journal.filed.values()].map((d) => [d.sourceId, d.kind])).toEqual([[`children-request-${id}`, 'request-form']]);
    expect(await t.intake.view(id)).toMatchObject({ status: 'journaled', formDeletedAt: NOW.toISOString() });
    const audit = await t.audit.query({ requestId: id });
    expect(audit.find((a) => a.action === 'notify.children-request')).toMatchObject({ outcome: 'skipped' });
    // Nor does the acceptance reminder go to the central mailbox: only the local leader hears of it.
    expect(await t.reminders.acceptanceDeadline(id)).toBe('sent');
    expect(t.notify.delivered.get(`children-acceptance-reminder-${id}`)!.to).toEqual([LEADER]);
  });

  it('a second run (retry, redelivery) sends and files nothing again', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest());
    await t.route.run(id);
    expect(await t.route.run(id)).toBe('already-routed');
    expect(t.notify.sendCalls).toBe(1);
    expect(t.journal.calls).toHaveLength(1);
  });

  it('after an eDoc outage, the retry files without mailing the unit twice', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest());
    t.journal.failNext = 1;
    await expect(t.route.run(id)).rejects.toBeInstanceOf(RetryableError);
    expect((await t.intake.view(id)).status).toBe('routed');
    expect(await t.store.getForm(id)).not.toBeNull(); // kept until it is filed
    expect(await t.route.run(id)).toBe('routed');
    expect(t.notify.delivered.size).toBe(1);
    expect(t.notify.sendCalls).toBe(1);
    expect(t.journal.filed.size).toBe(1);
  });

  it('renders the same PDF bytes on every attempt (the eDoc ledger keys on its hash)', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest());
    t.journal.failNext = 1;
    await t.route.run(id).catch(() => undefined);
    await t.route.run(id);
    const [a, b] = t.journal.calls;
    expect(a.pdf.equals(b.pdf)).toBe(true);
  });

  it('a mail gateway outage is retried without a second mail', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest());
    t.notify.failNext = 1;
    await expect(t.route.run(id)).rejects.toBeInstanceOf(RetryableError);
    await t.route.run(id);
    expect(t.notify.delivered.size).toBe(1);
    expect(t.journal.filed.size).toBe(1);
  });

  it('a child without an eDoc case fails permanently (dead letter), keeping the form for a retry', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest({ child: { cpr: '010118-1111' } }));
    await expect(t.route.run(id)).rejects.toMatchObject({ code: 'EDOC_CASE_NOT_FOUND' });
    expect(await t.store.getForm(id)).not.toBeNull();
  });

  it('a form past its retention cannot be routed: permanent, with a reason', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest());
    await t.redis.del(`${t.prefix}:children-store:req:${id}:form`);
    const err = await t.route.run(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'CHILDREN_FORM_EXPIRED' });
  });

  it('a request that has expired altogether is nothing to do', async () => {
    const t = make();
    expect(await t.route.run('00000000-0000-0000-0000-000000000000')).toBe('gone');
  });
});

describe('children.acceptance-deadline', () => {
  it('a meeting 3 working days away: the deadline is the end of the working day before it, the leader is told in Danish', async () => {
    const t = make();
    // Wednesday 2026-03-18 → Monday 2026-03-23 10:00: the unit must accept by the end of Friday 20 March.
    const res = await t.intake.submit(validRequest({ proposedStart: '2026-03-23T10:00:00+01:00' }));
    expect(res.warnings).toEqual(['MEETING_BEFORE_ACCEPT_DEADLINE']);
    const r = (await t.store.get(res.id))!;
    expect(r.deadlineAt).toBe('2026-03-20T23:00:00.000Z');
    expect(Date.parse(r.deadlineAt)).toBeLessThan(Date.parse('2026-03-23T09:00:00Z'));
    expect(t.jobs.deadlines).toEqual([{ requestId: res.id, delayMs: Date.parse('2026-03-20T23:00:00Z') - NOW.getTime() }]);

    await t.route.run(res.id);
    const unitMail = t.notify.delivered.get(`children-request-${res.id}`)!;
    expect(unitMail.subject).toContain('svar senest fredag den 20. marts 2026');
    expect(unitMail.body).toContain('arbejdsdagen før mødet');
    const leaderMail = t.notify.delivered.get(`children-short-notice-${res.id}`)!;
    expect(leaderMail.to).toEqual([LEADER]);
    expect(leaderMail.body).toContain('tidligere end 10 arbejdsdage');
    expect(leaderMail.body).toContain('fredag den 20. marts 2026');
    expectNoPersonalData(leaderMail.subject + leaderMail.body);
    await t.route.run(res.id); // a retry tells the leader once
    expect([...t.notify.delivered.keys()].filter((k) => k.startsWith('children-short-notice-'))).toHaveLength(1);

    expect(await t.reminders.acceptanceDeadline(res.id)).toBe('sent');
    expect(t.notify.delivered.get(`children-acceptance-reminder-${res.id}`)!.body).toContain('inden fristen fredag den 20. marts 2026');
  });

  it('a meeting 10 working days or more away: no warning, the 10 working days hold', async () => {
    const t = make();
    const res = await t.intake.submit(validRequest());
    expect(res.warnings).toEqual([]);
    expect((await t.store.get(res.id))!.deadlineAt).toBe('2026-04-01T22:00:00.000Z');
    await t.route.run(res.id);
    expect([...t.notify.delivered.keys()].some((k) => k.startsWith('children-short-notice-'))).toBe(false);
  });

  it('reminds the unit mailbox and the local leader once when not accepted', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest());
    expect(await t.reminders.acceptanceDeadline(id)).toBe('sent');
    expect(await t.reminders.acceptanceDeadline(id)).toBe('not-due');
    const mail = t.notify.delivered.get(`children-acceptance-reminder-${id}`)!;
    expect(mail.to).toEqual([KE_MAILBOX, LEADER]);
    expectNoPersonalData(mail.subject + mail.body);
    expect(t.notify.sendCalls).toBe(1);
    expect((await t.intake.view(id)).status).toBe('reminder-sent');
  });

  it('sends nothing when the request was accepted in time', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest());
    await t.intake.accept(id);
    expect(await t.reminders.acceptanceDeadline(id)).toBe('not-due');
    expect(t.notify.sendCalls).toBe(0);
  });

  it('a crash after sending but before recording does not send twice (ledger)', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest());
    await t.reminders.acceptanceDeadline(id);
    await t.redis.hdel(`${t.prefix}:children-store:req:${id}`, 'acceptanceReminderSentAt'); // as if the milestone write was lost
    expect(await t.reminders.acceptanceDeadline(id)).toBe('sent');
    expect(t.notify.sendCalls).toBe(1);
  });
});

describe('agreement and follow-up', () => {
  async function held(t: ReturnType<typeof setup>, agreementPatch: Record<string, unknown> = {}) {
    const { id } = await t.intake.submit(validRequest());
    await t.route.run(id);
    const { meetingId } = await t.intake.accept(id);
    t.setNow(AFTER);
    await t.intake.recordAgreement(meetingId, validAgreement(agreementPatch));
    return { id, meetingId };
  }

  it('journals the agreement on the same case and sends it to every participant with an address', async () => {
    const t = make();
    const { id, meetingId } = await held(t);
    expect(await t.agreement.run(meetingId)).toBe('done');
    const doc = [...t.journal.filed.values()].find((d) => d.kind === 'agreement-form')!;
    expect(doc).toMatchObject({
      caseRef: CHILD_CASE,
      sourceId: `children-agreement-${meetingId}`,
      date: '2026-04-09',
      meetingId,
      requestId: id,
    });
    const mail = t.notify.delivered.get(`children-agreement-${meetingId}`)!;
    expect(mail.to).toEqual([LEADER, 'peter@ke.solhoej.example']);
    expect(mail.attachments![0].content.equals(doc.pdf)).toBe(true);
    expectNoPersonalData(mail.subject + mail.body);
    expect(await t.store.getAgreement(meetingId)).toBeNull();
    expect((await t.intake.view(id)).meetings[0]).toMatchObject({
      agreementJournaledAt: AFTER.toISOString(),
      agreementSentAt: AFTER.toISOString(),
    });

    expect(await t.agreement.run(meetingId)).toBe('already-done');
    expect(t.journal.filed.size).toBe(2); // request form + agreement
    expect(t.notify.delivered.size).toBe(3); // unit mail + agreement + the list of those without an address to the local leader
    const unreached = t.notify.delivered.get(`children-agreement-unreached-${meetingId}`)!;
    expect(unreached.to).toEqual([LEADER]);
    expect(unreached.body).toContain('- Mor Testbarn (forælder)');
  });

  it('waits (retryable) while the request form is not journaled, so the case is unknown', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest());
    const { meetingId } = await t.intake.accept(id);
    t.setNow(AFTER);
    await t.intake.recordAgreement(meetingId, validAgreement());
    await expect(t.agreement.run(meetingId)).rejects.toMatchObject({ code: 'CHILDREN_CASE_PENDING' });
    await t.route.run(id);
    expect(await t.agreement.run(meetingId)).toBe('done');
  });

  it('reminds the local leader when no follow-up meeting is set, once, then forgets the mailbox', async () => {
    const t = make();
    const { id } = await held(t);
    expect(await t.reminders.followUpCheck(id)).toBe('sent');
    const mail = t.notify.delivered.get(`children-followup-reminder-${id}`)!;
    expect(mail.to).toEqual([LEADER]);
    expect(mail.body).toContain('mindst ét opfølgende møde');
    expectNoPersonalData(mail.subject + mail.body);
    expect((await t.intake.view(id)).status).toBe('follow-up-missing-reminded');
    expect((await t.store.get(id))!.leaderMailbox).toBeUndefined();
    expect(await t.reminders.followUpCheck(id)).toBe('not-due');
    expect(t.notify.sendCalls).toBe(2); // unit mail + one reminder
  });

  it('sends no reminder when the follow-up meeting is set', async () => {
    const t = make();
    const { id } = await held(t, { followUpMeetingDate: '2026-04-16T09:30:00+02:00' });
    expect(await t.reminders.followUpCheck(id)).toBe('not-due');
    expect(t.notify.delivered.has(`children-followup-reminder-${id}`)).toBe(false);
  });
});
