import { AcceptLinks } from '../../../src/workflows/children/children.accept-link';
import { ChildrenUnits } from '../../../src/workflows/children/children.units';
import { CHILD_CPR, NOW, validAgreement, validRequest as baseRequest, childrenSteps } from './children-fakes';

/**
 * Issue 18: parents and a delegated meeting leader on the request, reminders to the meeting leader
 * with the local leader in copy, the agreement form to every participant with an address (and the
 * others listed for the local leader), the follow-up invitation, and the unit mail's ICS and accept link.
 * Real Redis, fake mail/eDoc/queue.
 */
const LATER = '2026-04-09T10:00:00+02:00'; // Thursday, more than 10 working days after NOW
const AFTER = new Date('2026-04-09T12:00:00Z');
const FOLLOW_UP = '2026-04-16T09:30:00+02:00'; // the Thursday after
const MOVED = '2026-04-20T10:00:00+02:00'; // Monday

const units = ChildrenUnits.load();
const KE = units.get('ke').mailbox;
const LEADER = 'lene.leder@solhoej.example';
const METTE = 'mette.moedeleder@solhoej.example';
const PARENTS = [{ name: 'Mor Testbarn', email: 'mor@privat.example' }, { name: 'Far Testbarn' }];
const BASE_URL = 'https://tsm.solhoej.example';
const links = new AcceptLinks('h18-accept-link-secret-0123456789abcdef', BASE_URL);

const validRequest = (o: Record<string, unknown> = {}) => baseRequest({ proposedStart: LATER, parents: PARENTS, ...o });
const delegated = { meetingLeader: { name: 'Mette Mødeleder', email: METTE } };

const setup = () => childrenSteps({ links, organizer: 'tsm@solhoej.example' });

const contexts: Array<ReturnType<typeof setup>> = [];
afterAll(async () => {
  for (const c of contexts) await c.redis.quit();
});
const make = () => {
  const c = setup();
  contexts.push(c);
  return c;
};

/** No CPR, child's name, parents' or leaders' names, home address or case text. */
const PERSONAL = [
  CHILD_CPR,
  CHILD_CPR.replace('-', ''),
  'Alma',
  'Testbarn',
  'Lene Leder',
  'Mette',
  'Hjemmevej',
  'trækker sig',
  'overgangsritualer',
];
function expectNoPersonalData(text: string) {
  for (const s of PERSONAL) expect(text).not.toContain(s);
}
const icsOf = (m: { attachments?: Array<{ filename: string; contentType: string; content: Buffer }> }) =>
  m
    .attachments!.find((a) => a.contentType.startsWith('text/calendar'))!
    .content.toString('utf8')
    .replace(/\r\n /g, ''); // unfolded

describe('participants on the request', () => {
  it('accepts parents (name, optional e-mail) and a meeting leader; refuses a meeting leader without an address', async () => {
    const t = make();
    const ok = await t.intake.submit(validRequest(delegated));
    expect(ok.duplicate).toBe(false);
    expect(await t.store.getContacts(ok.id)).toEqual({
      localLeader: { name: 'Lene Leder', email: LEADER },
      meetingLeader: { name: 'Mette Mødeleder', email: METTE },
      parents: PARENTS,
    });
    const bad = await t.intake
      .submit(validRequest({ child: { cpr: '010118-2222' }, meetingLeader: { name: 'Mette' } }))
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', details: { issues: [{ path: 'meetingLeader.email' }] } });
  });

  it('a form without parents hashes as before the field existed: the re-submission is the same request', async () => {
    const t = make();
    const first = await t.intake.submit(baseRequest({ proposedStart: LATER }));
    const again = await t.intake.submit(baseRequest({ proposedStart: LATER, parents: [] }));
    expect([again.id, again.duplicate]).toEqual([first.id, true]);
  });
});

describe('reminders go to the meeting leader with the local leader in copy', () => {
  it.each([
    ['not delegated', {}, [KE, LEADER], undefined, [LEADER], undefined],
    ['delegated', delegated, [KE, METTE], [LEADER], [METTE], [LEADER]],
  ])('%s', async (_what, patch, acceptTo, acceptCc, followTo, followCc) => {
    const t = make();
    const { id } = await t.intake.submit(validRequest(patch));
    await t.route.run(id);
    expect(await t.reminders.acceptanceDeadline(id)).toBe('sent');
    const reminder = t.notify.delivered.get(`children-acceptance-reminder-${id}`)!;
    expect([reminder.to, reminder.cc]).toEqual([acceptTo, acceptCc]);
    // The deadline has passed when the reminder goes: its link is good until the meeting starts.
    const link = new URL(/https:\/\/\S+/.exec(reminder.body)![0]);
    expect(link.searchParams.get('exp')).toBe(String(Date.parse(LATER) / 1000));
    expectNoPersonalData(reminder.subject + reminder.body);

    await t.intake.accept(id);
    t.setNow(AFTER);
    await t.intake.recordAgreement(`${id}-m1`, validAgreement());
    expect(await t.reminders.followUpCheck(id)).toBe('sent');
    const follow = t.notify.delivered.get(`children-followup-reminder-${id}`)!;
    expect([follow.to, follow.cc]).toEqual([followTo, followCc]);
  });

  it('the short-notice mail (meeting sooner than 10 working days) too', async () => {
    const t = make();
    const { id, warnings } = await t.intake.submit(validRequest({ ...delegated, proposedStart: '2026-03-23T10:00:00+01:00' }));
    expect(warnings).toEqual(['MEETING_BEFORE_ACCEPT_DEADLINE']);
    await t.route.run(id);
    const notice = t.notify.delivered.get(`children-short-notice-${id}`)!;
    expect([notice.to, notice.cc]).toEqual([[METTE], [LEADER]]);
  });
});

describe('the agreement form reaches every participant', () => {
  it("goes to everyone with an address (the request's parents included); the local leader gets the others' names", async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest(delegated));
    await t.route.run(id);
    const { meetingId } = await t.intake.accept(id);
    t.setNow(AFTER);
    // The form names the mother without an address, and not the father (no address anywhere) or the meeting leader.
    await t.intake.recordAgreement(meetingId, validAgreement());
    expect(await t.agreement.run(meetingId)).toBe('done');

    const mail = t.notify.delivered.get(`children-agreement-${meetingId}`)!;
    expect(mail.to).toEqual([LEADER, 'peter@ke.solhoej.example', 'mor@privat.example', METTE]);
    const list = t.notify.delivered.get(`children-agreement-unreached-${meetingId}`)!;
    expect(list.to).toEqual([LEADER]);
    expect(list.subject).toContain('1 deltager(e)');
    expect(list.body).toContain('- Far Testbarn (forælder)');
    expect(list.body).not.toContain('Mor Testbarn');
    expect(list.attachments!.map((a) => a.contentType)).toEqual(['application/pdf']);
    expectNoPersonalData(list.subject);

    // The names are in the leader's mail only: not in the audit trail.
    const audit = await t.audit.query({ requestId: id });
    expect(audit.find((a) => a.action === 'notify.children-agreement-unreached')).toMatchObject({
      outcome: 'ok',
      externalIds: { unreached: '1' },
    });
    expect(JSON.stringify(audit)).not.toMatch(/Far Testbarn|Mor Testbarn|mor@privat/);
    // Once: a second run sends nothing.
    expect(await t.agreement.run(meetingId)).toBe('already-done');
    expect([...t.notify.delivered.keys()].filter((k) => k.includes(meetingId))).toHaveLength(2);
  });

  it('everyone reachable: no list to the leader', async () => {
    const t = make();
    const { id } = await t.intake.submit(validRequest({ parents: [] }));
    await t.route.run(id);
    const { meetingId } = await t.intake.accept(id);
    t.setNow(AFTER);
    await t.intake.recordAgreement(meetingId, validAgreement({ participants: [{ name: 'Lene Leder', email: LEADER }] }));
    await t.agreement.run(meetingId);
    expect(t.notify.delivered.has(`children-agreement-unreached-${meetingId}`)).toBe(false);
  });
});

describe('the follow-up meeting is invited', () => {
  async function held(t: ReturnType<typeof setup>, patch: Record<string, unknown> = {}, agreement: Record<string, unknown> = {}) {
    const { id } = await t.intake.submit(validRequest(patch));
    await t.route.run(id);
    const { meetingId } = await t.intake.accept(id);
    t.setNow(AFTER);
    await t.intake.recordAgreement(meetingId, validAgreement(agreement));
    return id;
  }

  it('set at the meeting: the ICS goes to the participants with an address and the unit mailbox; moving it re-invites (SEQUENCE 1)', async () => {
    const t = make();
    const id = await held(t, delegated, { followUpMeetingDate: FOLLOW_UP });
    const m2 = `${id}-m2`;
    expect(t.jobs.invites).toEqual([{ meetingId: m2, sequence: 0 }]);
    expect(await t.invitations.followUpInvite(m2, 0)).toBe('sent');
    const mail = t.notify.delivered.get(`children-followup-invite-${m2}-s0`)!;
    expect(mail.to).toEqual([LEADER, 'peter@ke.solhoej.example', 'mor@privat.example', METTE, KE]);
    const ics = icsOf(mail);
    expect(ics).toContain('METHOD:REQUEST');
    expect(ics).toContain('DTSTART:20260416T073000Z');
    expect(ics).toContain('DTEND:20260416T083000Z');
    expect(ics).toContain('SEQUENCE:0');
    expect(ics).toContain('LOCATION:Solhøj Børnehus\\, Skovvej 1\\, 9999 Solhøj');
    expectNoPersonalData(ics + mail.subject + mail.body);
    expect(await t.invitations.followUpInvite(m2, 0)).toBe('sent'); // a retry: the ledger sends once
    expect(t.notify.sendCalls).toBe(2); // the unit's request mail + one invitation

    // Moved by the API before it is held: the same UID, SEQUENCE 1, "Ændret tidspunkt"; the old job is stale.
    await t.intake.setFollowUp(id, { start: MOVED });
    expect(t.jobs.invites.at(-1)).toEqual({ meetingId: m2, sequence: 1 });
    expect(await t.invitations.followUpInvite(m2, 0)).toBe('stale');
    expect(await t.invitations.followUpInvite(m2, 1)).toBe('sent');
    const moved = t.notify.delivered.get(`children-followup-invite-${m2}-s1`)!;
    expect(moved.subject).toMatch(/^Ændret tidspunkt/);
    expect(icsOf(moved)).toContain('SEQUENCE:1');
    expect(icsOf(moved)).toContain('DTSTART:20260420T080000Z');
    expect(icsOf(moved).match(/^UID:.*$/m)![0]).toBe(ics.match(/^UID:.*$/m)![0]);
  });

  it("set later through the API (POST follow-up): the latest agreement form's addresses, kept after the form is deleted", async () => {
    const t = make();
    const id = await held(t);
    await t.agreement.run(`${id}-m1`); // journals, sends and deletes the agreement form
    expect(await t.store.getAgreement(`${id}-m1`)).toBeNull();
    await t.intake.setFollowUp(id, { start: FOLLOW_UP });
    expect(await t.invitations.followUpInvite(`${id}-m2`, 0)).toBe('sent');
    expect(t.notify.delivered.get(`children-followup-invite-${id}-m2-s0`)!.to).toEqual([
      LEADER,
      'peter@ke.solhoej.example',
      'mor@privat.example',
      KE,
    ]);
  });

  it("a health visitors' home meeting: the participants are invited, not the central mailbox (invited by phone); no home address in the ICS", async () => {
    const t = make();
    const id = await held(
      t,
      { localUnit: { name: 'Sundhedsplejen Nord', type: 'sundhedspleje' }, place: { type: 'hjem', address: 'Hjemmevej 3' } },
      { followUpMeetingDate: FOLLOW_UP },
    );
    expect(await t.invitations.followUpInvite(`${id}-m2`, 0)).toBe('sent');
    const mail = t.notify.delivered.get(`children-followup-invite-${id}-m2-s0`)!;
    expect(mail.to).not.toContain(KE);
    expect(icsOf(mail)).toContain('LOCATION:Barnets hjem (adressen står i anmodningsskemaet)');
    expectNoPersonalData(icsOf(mail));
  });

  it('a meeting already held is not invited', async () => {
    const t = make();
    const id = await held(t, {}, { followUpMeetingDate: FOLLOW_UP });
    t.setNow(new Date('2026-04-16T12:00:00Z'));
    await t.intake.recordAgreement(`${id}-m2`, validAgreement());
    expect(await t.invitations.followUpInvite(`${id}-m2`, 0)).toBe('held');
  });
});

describe("the unit's mail: calendar invitation and accept link", () => {
  it.each([
    [
      'in the daycare',
      { place: { type: 'dagtilbud', address: 'Skovvej 1, 9999 Solhøj' } },
      'LOCATION:Solhøj Børnehus\\, Skovvej 1\\, 9999 Solhøj',
    ],
    [
      "in the child's home (daycare's request): the address stays in the PDF",
      { place: { type: 'hjem', address: 'Hjemmevej 3, 9999 Solhøj' } },
      'LOCATION:Barnets hjem (adressen står i anmodningsskemaet)',
    ],
  ])('%s', async (_what, patch, location) => {
    const t = make();
    const { id } = await t.intake.submit(validRequest(patch));
    await t.route.run(id);
    const mail = t.notify.delivered.get(`children-request-${id}`)!;
    const ics = icsOf(mail);
    expect(ics).toContain('METHOD:REQUEST');
    expect(ics).toContain('DTSTART:20260409T080000Z');
    expect(ics).toContain('DTEND:20260409T090000Z');
    expect(ics).toContain(location);
    expect(ics).toContain(`ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:${KE}`);
    expect(ics).toContain('ORGANIZER:mailto:tsm@solhoej.example');
    expectNoPersonalData(ics + mail.subject + mail.body);

    const url = new URL(/https:\/\/\S+/.exec(mail.body)![0]);
    expect(`${url.origin}${url.pathname}`).toBe(`${BASE_URL}/children/accept/${id}`);
    // Valid until the acceptance deadline (end of Wednesday 1 April 2026).
    expect(url.searchParams.get('exp')).toBe(String(Date.parse('2026-04-01T22:00:00Z') / 1000));
    expect(links.check(id, url.searchParams.get('exp'), url.searchParams.get('sig'), NOW)).toBe('ok');
    expect(mail.body).toContain('linket gælder til og med onsdag den 1. april 2026');
  });
});
