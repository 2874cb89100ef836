import axios from 'axios';
import path from 'node:path';
import request from 'supertest';
import { outboxDir } from '../../../adapters/notify/notify.module';
import { OutboxEnvelope, OutboxNotifier } from '../../../adapters/notify/outbox.notifier';
import { QueueGateway } from '../../../queues/queue.gateway';
import { addCalendarDays, localParts, localToInstant, weekdayOf } from '../../../src/common/local-time';
import { WorkingDayCalendar } from '../../../src/domain/working-days';
import type { Clock } from '../../../src/common/clock';
import { RunningService, startService } from '../../../src/main';
import { ChildrenUnits } from '../../../src/workflows/children/children.units';
import { eventually, testConfig } from '../../support/test-service';
import { validAgreement, validRequest } from './children-fakes';

/**
 * A request from intake to the follow-up reminder, over real HTTP, real Redis, real workers and the
 * eDoc and notify sandboxes. Delays are shortened by configuration (CHILDREN_*_DELAY_MS), so the
 * test waits for outcomes, never for a time.
 */
const KEY = 'test-intake-key-0123456789';
const CHILD_CPR = '140519-4321'; // the child in children-seed.json, with eDoc case 26/090001
/** The next Monday 10:00 (Copenhagen) from tomorrow on that is not a public holiday. */
function nextMondayMeeting(now: Date): string {
  const cal = new WorkingDayCalendar();
  let d = addCalendarDays(localParts(now).date, 1);
  while (weekdayOf(d) !== 1 || !cal.isWorkingDay(d)) d = addCalendarDays(d, 1);
  return localToInstant(d, 10, 0).toISOString();
}

/** The whole children's flow on a service whose clock starts at `now` (TSM_NOW); the clock-matrix spec runs it at other instants. */
export function childrenFlowSuite(now: string): void {
  describe(`children's flow at ${now}`, () => {
    let svc: RunningService;
    let outbox: OutboxNotifier;

    const edocState = async () =>
      (await axios.get(`${svc.config.EDOC_URL!.replace(/\/edoc\.asmx$/i, '')}/_sandbox/state`)).data as {
        cases: Array<{ sequenceNumber: string; documents: Array<{ title: string }> }>;
      };
    const childDocuments = async () => (await edocState()).cases.find((c) => c.sequenceNumber === '26/090001')!.documents;
    const edocStats = async () =>
      (await axios.get(`${svc.config.EDOC_URL!.replace(/\/edoc\.asmx$/i, '')}/_sandbox/stats`)).data as {
        documents: number;
        duplicates: number;
      };
    const api = () => request(svc.baseUrl!);
    /** The message with this id, once it is in the outbox. */
    const delivered = (id: string): Promise<OutboxEnvelope> =>
      eventually(async () => {
        const m = await outbox.read(id);
        if (!m) throw new Error(`${id} not in the outbox yet`);
        return m;
      });
    const status = async (id: string) => (await api().get(`/children/requests/${id}`).set('X-Api-Key', KEY)).body;

    /** The service clock: starts at `now` and runs forward; the test moves it past the meeting to record its agreement. */
    let offsetMs = Date.parse(now) - Date.now();
    const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
    const moveClockTo = (at: string) => (offsetMs = Date.parse(at) - Date.now());

    beforeAll(async () => {
      const config = testConfig({
        TSM_NOW: now,
        SANDBOX_SEED: path.join(__dirname, 'children-seed.json'),
        CHILDREN_DEADLINE_DELAY_MS: '400',
        CHILDREN_FOLLOWUP_DELAY_MS: '300',
      });
      svc = await startService({ role: 'all', config, clock, sandboxes: true });
      outbox = new OutboxNotifier(outboxDir(svc.config));
    });
    afterAll(async () => {
      await svc?.stop();
    });

    it('takes a request from intake through routing, eDoc, reminder, acceptance and agreement to the follow-up reminder', async () => {
      const units = ChildrenUnits.load();
      const ke = units.get('ke').mailbox;
      const leader = 'lene.leder@solhoej.example';
      const body = validRequest({ requestId: 'flow-1', proposedStart: nextMondayMeeting(svc.clock.now()) });

      // 1. Intake.
      const submitted = await api().post('/children/requests').set('Authorization', `Bearer ${KEY}`).send(body);
      expect(submitted.status).toBe(201);
      const id: string = submitted.body.id;

      // 2. Routed: the unit's central mailbox has the request form as a PDF.
      const unitMail = await delivered(`children-request-${id}`);
      expect(unitMail.to).toEqual([ke]);
      expect(unitMail.attachments.map((a) => [a.filename, a.contentType])).toEqual([
        [`anmodningsskema-${id}.pdf`, 'application/pdf'],
        ['samarbejdsmoede.ics', 'text/calendar; charset=utf-8; method=REQUEST'],
      ]);
      expect(unitMail.subject + unitMail.body).not.toContain('Alma');

      // 3. Journaled: exactly one document on the child's eDoc case, and the form deleted here.
      await eventually(async () => (await status(id)).journaledAt && (await status(id)).formDeletedAt);
      expect((await childDocuments()).map((d) => d.title)).toEqual([
        expect.stringMatching(/^Anmodningsskema – Samarbejdsmøde \[tsm:children-request-/),
      ]);

      // 4. Re-submission (same requestId; same content without it): the same request, no second journal entry or mail.
      const again = await api().post('/children/requests').set('X-Api-Key', KEY).send(body);
      const { requestId: _omit, ...withoutKey } = body;
      const sameContent = await api().post('/children/requests').set('X-Api-Key', KEY).send(withoutKey);
      expect([again.status, again.body.id, again.body.duplicate]).toEqual([200, id, true]);
      expect([sameContent.status, sameContent.body.id]).toEqual([200, id]);
      // The route job keeps its deterministic id, so the repeat enqueued nothing new: it stays the one completed job.
      expect(await svc.app.get(QueueGateway).jobState('children', `children.route.${id}`)).toBe('completed');
      expect(await childDocuments()).toHaveLength(1);
      expect(await edocStats()).toMatchObject({ documents: 1, duplicates: 0 });

      // 5. Not accepted by the deadline: reminder to the unit mailbox and the local leader.
      const reminder = await delivered(`children-acceptance-reminder-${id}`);
      expect(reminder.to).toEqual([ke, leader]);
      await eventually(async () => (await status(id)).status === 'reminder-sent');

      // 6. Accepted.
      const accepted = await api().post(`/children/requests/${id}/accept`).set('X-Api-Key', KEY);
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ status: 'accepted', meetingId: `${id}-m1` });

      // 7. Agreement form, once the meeting has been held (before it: 409 MEETING_NOT_HELD): journaled on the same
      //    case and sent to every participant with an address.
      const early = await api().post(`/children/meetings/${id}-m1/agreement`).set('X-Api-Key', KEY).send(validAgreement());
      expect([early.status, early.body.code]).toEqual([409, 'MEETING_NOT_HELD']);
      moveClockTo(new Date(Date.parse(body.proposedStart as string) + 2 * 3_600_000).toISOString());
      const agreement = await api().post(`/children/meetings/${id}-m1/agreement`).set('X-Api-Key', KEY).send(validAgreement());
      expect(agreement.status).toBe(201);
      const agreementMail = await delivered(`children-agreement-${id}-m1`);
      expect(agreementMail.to).toEqual([leader, 'peter@ke.solhoej.example']);
      await eventually(async () => (await childDocuments()).length === 2);
      expect((await childDocuments())[1].title).toMatch(/^Aftaleskema – Samarbejdsmøde \[tsm:children-agreement-/);

      // 8. No follow-up meeting set: the local leader is reminded.
      const followUp = await delivered(`children-followup-reminder-${id}`);
      expect(followUp.to).toEqual([leader]);
      const final = await eventually(async () => {
        const s = await status(id);
        return s.status === 'follow-up-missing-reminded' && s.meetings[0].agreementSentAt ? s : null;
      });
      expect(final).toMatchObject({
        acceptanceReminderSentAt: expect.any(String),
        acceptedAt: expect.any(String),
        firstMeetingHeldAt: expect.any(String),
      });
      const text = JSON.stringify(final);
      for (const s of [CHILD_CPR, '1405194321', 'Alma', 'Lene', 'Peter']) expect(text).not.toContain(s);
      expect(await edocStats()).toMatchObject({ documents: 2, duplicates: 0 });

      // 9. Admin: status filter and the audit trail of every send and filing (ids only).
      const listed = await api().get('/admin/children/requests?status=follow-up-missing-reminded').auth('admin', 'test-admin-password');
      expect(listed.body.map((r: { id: string }) => r.id)).toEqual([id]);
      const detail = await api().get(`/admin/children/requests/${id}`).auth('admin', 'test-admin-password');
      const actions = detail.body.audit.map((a: { action: string }) => a.action);
      expect(actions).toEqual(
        expect.arrayContaining([
          'children.intake',
          'notify.children-request',
          'edoc.journal',
          'notify.children-acceptance-reminder',
          'children.accept',
          'children.agreement',
          'notify.children-agreement',
          'notify.children-followup-reminder',
        ]),
      );
      expect(actions.filter((a: string) => a === 'edoc.journal')).toHaveLength(2);
      expect(JSON.stringify(detail.body)).not.toContain('1405194321');
    });
  });
}
