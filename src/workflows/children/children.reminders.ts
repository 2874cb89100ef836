import { ChildrenDeps, sendMailOnce } from './children.deps';
import { acceptanceReminderDue, followUpReminderDue } from '../../domain/children-course';
import { isHomeVisit } from '../../domain/children-meeting.rules';
import { reminderRecipients } from '../../domain/children-participants';
import type { AcceptLinks } from './children.accept-link';
import { acceptanceReminderMail, followUpReminderMail, MailText } from './children.messages';
import type { ChildrenRequestRecord } from './children.store';

export type ReminderResult = 'sent' | 'not-due' | 'no-recipient' | 'gone';

/**
 * The two reminders of a course: the external unit has not accepted within the deadline
 * ('children.acceptance-deadline'), and no follow-up meeting is set some time after the first
 * meeting ('children.followup-check'). Each is sent at most once per request (ledger + message id).
 */
export class ChildrenReminders {
  constructor(
    private readonly deps: ChildrenDeps,
    private readonly settings: { acceptWorkingDays: number; followUpDays: number; links?: AcceptLinks },
  ) {}

  async acceptanceDeadline(requestId: string): Promise<ReminderResult> {
    const r = await this.deps.store.get(requestId);
    if (!r) return 'gone';
    if (!acceptanceReminderDue(r)) return 'not-due';
    const unit = this.deps.units.get(r.unit);
    // A health visitors' home meeting was invited by phone: the central mailbox never had it.
    const homeVisit = isHomeVisit(r.localUnitType, r.placeType);
    const contacts = await this.deps.store.getContacts(r.id);
    // To the meeting leader when the local leader delegated, with the local leader in copy.
    const { to, cc } = reminderRecipients({
      localLeader: r.leaderMailbox,
      meetingLeader: contacts?.meetingLeader?.email,
      extra: homeVisit ? [] : [unit.mailbox],
    });
    if (to.length === 0) return 'no-recipient';
    // The first link expired with the deadline: the reminder's link is good until the meeting starts.
    const meetingStart = new Date(r.proposedStart);
    const acceptUrl =
      !homeVisit && this.settings.links && meetingStart.getTime() > this.deps.now().getTime()
        ? this.settings.links.url(r.id, meetingStart)
        : undefined;
    const mail = acceptanceReminderMail({
      requestId: r.id,
      unit,
      receivedAt: r.receivedAt,
      proposedStart: r.proposedStart,
      workingDays: this.settings.acceptWorkingDays,
      deadlineAt: r.deadlineAt,
      meetingFirst: r.warnings?.includes('MEETING_BEFORE_ACCEPT_DEADLINE'),
      acceptUrl,
    });
    await this.send(r, 'acceptance-reminder', to, mail, cc);
    await this.deps.store.milestone(r.id, 'acceptanceReminderSentAt', this.deps.now().toISOString());
    return 'sent';
  }

  async followUpCheck(requestId: string): Promise<ReminderResult> {
    const r = await this.deps.store.get(requestId);
    if (!r) return 'gone';
    let result: ReminderResult = 'not-due';
    if (followUpReminderDue(r)) {
      const contacts = await this.deps.store.getContacts(r.id);
      const { to, cc } = reminderRecipients({ localLeader: r.leaderMailbox, meetingLeader: contacts?.meetingLeader?.email });
      if (to.length && r.firstMeetingHeldAt) {
        const mail = followUpReminderMail({ requestId: r.id, firstMeetingAt: r.firstMeetingHeldAt, days: this.settings.followUpDays });
        await this.send(r, 'followup-reminder', to, mail, cc);
        await this.deps.store.milestone(r.id, 'followUpReminderSentAt', this.deps.now().toISOString());
        result = 'sent';
      } else {
        await this.deps.audit.record({
          action: 'notify.children-followup-reminder',
          system: 'notify',
          outcome: 'skipped',
          requestId: r.id,
          reason: 'no local leader mailbox',
        });
        result = 'no-recipient';
      }
    }
    // The last reminder a course can get: the leader's mailbox is no longer needed.
    await this.deps.store.clearLeaderMailbox(r.id);
    return result;
  }

  private async send(r: ChildrenRequestRecord, what: string, to: string[], mail: MailText, cc: string[] = []): Promise<void> {
    const ledgerKey = `notify:children:${r.id}:${what}`;
    await sendMailOnce(this.deps, {
      ledgerKey,
      message: { id: `children-${what}-${r.id}`, to, ...(cc.length ? { cc } : {}), ...mail },
      action: `notify.children-${what}`,
      ids: { requestId: r.id },
    });
  }
}
