import { ChildrenDeps, sendMailOnce } from './children.deps';
import { Injectable } from '@nestjs/common';
import type { JobContext } from '../../../queues/job-context';
import { JobHandler } from '../../../queues/job-handler.decorator';
import type { JobPayload } from '../../../queues/job-types';
import { classifyError, errorCode } from '../../common/errors';
import { buildChildrenInviteIcs, CHILDREN_ICS_CONTENT_TYPE, childrenMeetingUid } from '../../domain/children-invite.ics';
import { isHomeVisit, MEETING_MINUTES } from '../../domain/children-meeting.rules';
import { followUpInviteMail } from './children.messages';
import type { ExternalUnit } from './children.units';
import { ChildrenRequestRecord, requestIdOfMeeting } from './children.store';

/** Organiser of the invitations when MAIL_FROM is not set (the sandbox's outbox). */
export const SANDBOX_ORGANIZER = 'samarbejdsmoede@tsm-bridge.invalid';

/** Where the meeting is, for an invitation: never the child's home address (that stays in the PDF form). */
export function invitePlace(r: Pick<ChildrenRequestRecord, 'placeType' | 'localUnitName' | 'placeAddress'>): string {
  if (r.placeType === 'hjem') return 'Barnets hjem (adressen står i anmodningsskemaet)';
  const where = r.placeType === 'skole' ? 'Skolen' : 'Dagtilbuddet';
  return [r.localUnitName ?? where, r.placeAddress].filter(Boolean).join(', ');
}

/** The iCalendar invitation of meeting `meetingId`: no CPR, no names, no home address (see children-invite.ics). */
export function childrenMeetingIcs(p: {
  meetingId: string;
  sequence: number;
  start: string;
  r: ChildrenRequestRecord;
  unit: ExternalUnit;
  organizer: string;
  attendees: string[];
  stamp: string;
  followUp: boolean;
}): Buffer {
  const start = new Date(p.start);
  return Buffer.from(
    buildChildrenInviteIcs({
      uid: childrenMeetingUid(p.meetingId),
      sequence: p.sequence,
      start,
      end: new Date(start.getTime() + MEETING_MINUTES * 60_000),
      summary: `${p.followUp ? 'Opfølgende samarbejdsmøde' : 'Samarbejdsmøde'} – ${p.unit.name}`,
      location: invitePlace(p.r),
      description: [
        `${p.followUp ? 'Opfølgende samarbejdsmøde' : 'Samarbejdsmøde'} om et barn${p.r.localUnitName ? ` i ${p.r.localUnitName}` : ''}, med ${p.unit.name}.`,
        'Oplysninger om barnet står i de skemaer, der er sendt til deltagerne.',
        `Reference: ${p.meetingId}.`,
      ].join('\n'),
      organizer: p.organizer,
      attendees: p.attendees,
      stamp: new Date(p.stamp),
    }),
    'utf8',
  );
}

export type InviteResult = 'sent' | 'stale' | 'held' | 'no-recipient' | 'gone';

/**
 * 'children.followup-invite': "Lokal leder har ansvar for at indkalde" — when a follow-up meeting is set
 * (or moved), its invitation (ICS, METHOD:REQUEST) goes to the latest agreement form's participants with
 * an address and to the unit's central mailbox (not for a health visitors' home meeting: invited by
 * phone). Once per meeting and sequence (ledger + message id); an older sequence is not sent.
 */
@Injectable()
export class ChildrenInvitations {
  constructor(
    private readonly deps: ChildrenDeps,
    private readonly organizer: string = SANDBOX_ORGANIZER,
  ) {}

  @JobHandler('children.followup-invite')
  async handle(p: JobPayload<'children.followup-invite'>, ctx: JobContext): Promise<{ result: InviteResult }> {
    try {
      const result = await this.followUpInvite(p.meetingId, p.sequence);
      ctx.log.info({ meetingId: p.meetingId, result }, 'children step done');
      return { result };
    } catch (err) {
      if (classifyError(err) === 'permanent' || ctx.attemptsMade + 1 >= ctx.attempts) {
        await this.deps.store
          .setProblem(requestIdOfMeeting(p.meetingId), errorCode(err), this.deps.now().toISOString())
          .catch(() => undefined);
      }
      throw err;
    }
  }

  async followUpInvite(meetingId: string, sequence: number): Promise<InviteResult> {
    const m = await this.deps.store.getMeeting(meetingId);
    const r = m && (await this.deps.store.get(m.requestId));
    if (!m || !r) return 'gone';
    if ((m.inviteSeq ?? 0) !== sequence) return 'stale'; // moved again since: that sequence's job invites
    if (m.heldAt) return 'held';
    const unit = this.deps.units.get(r.unit);
    const contacts = await this.deps.store.getContacts(r.id);
    const participants = contacts?.participantMailboxes ?? [];
    const toUnit = isHomeVisit(r.localUnitType, r.placeType) ? [] : [unit.mailbox];
    const to = [...new Set([...participants, ...toUnit])];
    if (to.length === 0) {
      await this.deps.audit.record({
        action: 'notify.children-followup-invite',
        system: 'notify',
        outcome: 'skipped',
        requestId: r.id,
        meetingId: m.id,
        reason: 'no recipient with an address',
      });
      return 'no-recipient';
    }
    const ics = childrenMeetingIcs({
      meetingId: m.id,
      sequence,
      start: m.scheduledStart,
      r,
      unit,
      organizer: this.organizer,
      attendees: to,
      stamp: this.deps.now().toISOString(),
      followUp: true,
    });
    const mail = followUpInviteMail({ meetingId: m.id, unit, start: m.scheduledStart, place: invitePlace(r), moved: sequence > 0 });
    const id = `children-followup-invite-${m.id}-s${sequence}`;
    const ledgerKey = `notify:children:${m.id}:followup-invite:${sequence}`;
    await sendMailOnce(this.deps, {
      ledgerKey,
      message: {
        id,
        to,
        ...mail,
        attachments: [{ filename: 'samarbejdsmoede.ics', contentType: CHILDREN_ICS_CONTENT_TYPE, content: ics }],
      },
      action: 'notify.children-followup-invite',
      ids: { requestId: r.id, meetingId: m.id },
      externalIds: { recipients: String(to.length) },
    });
    return 'sent';
  }
}
