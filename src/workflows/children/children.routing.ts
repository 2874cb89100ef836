import { ChildrenFilingDeps, sendMailOnce } from './children.deps';
import { PermanentError } from '../../common/errors';
import { CHILDREN_ICS_CONTENT_TYPE } from '../../domain/children-invite.ics';
import { isHomeVisit } from '../../domain/children-meeting.rules';
import { reminderRecipients } from '../../domain/children-participants';
import { localParts } from '../../common/local-time';
import { RenderFormPdf, renderFormPdf } from '../../documents/form-pdf.renderer';
import type { AcceptLinks } from './children.accept-link';
import { REQUEST_FORM_TITLE, requestFormDocument } from './children.documents';
import { childrenMeetingIcs, SANDBOX_ORGANIZER } from './children.invitations';
import { requestToUnitMail, shortNoticeMail } from './children.messages';

export type RouteResult = 'routed' | 'already-routed' | 'gone';

/**
 * 'children.route': the request form goes to the chosen unit's central mailbox and is journaled on
 * the child's eDoc case; then the form's personal data is deleted. Each side effect happens once
 * (ledger for the mail, DocumentJournal for eDoc), so a retry repeats only what had not happened.
 */
export class RouteRequestStep {
  private readonly renderPdf: RenderFormPdf;

  constructor(
    private readonly deps: ChildrenFilingDeps,
    private readonly settings: {
      documentType: string;
      acceptWorkingDays: number;
      /** Signs the accept link in the unit's mail; without it the mail names the reference only. */
      links?: AcceptLinks;
      /** ORGANIZER of the calendar invitation (MAIL_FROM's address). */
      organizer?: string;
    },
  ) {
    this.renderPdf = deps.renderPdf ?? renderFormPdf;
  }

  async run(requestId: string): Promise<RouteResult> {
    const r = await this.deps.store.get(requestId);
    if (!r) return 'gone'; // expired with its retention: nothing left to route
    if (r.routedAt && r.journaledAt) {
      await this.deps.store.deleteForm(r.id, this.deps.now().toISOString());
      return 'already-routed';
    }
    const form = await this.deps.store.getForm(r.id);
    if (!form) {
      throw new PermanentError(
        'the request form is no longer held (retention passed); the local leader must submit it again',
        'CHILDREN_FORM_EXPIRED',
      );
    }
    const unit = this.deps.units.get(r.unit);
    const pdf = await this.renderPdf(requestFormDocument(form, r, unit));
    const attachments = form.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: Buffer.from(a.base64, 'base64'),
    }));

    if (!r.routedAt && isHomeVisit(r.localUnitType, r.placeType)) {
      // The health visitors invite by phone (seed): nothing goes to the central mailbox; eDoc still gets the form.
      await this.deps.store.milestone(r.id, 'routedAt', this.deps.now().toISOString());
      await this.deps.audit.record({
        action: 'notify.children-request',
        system: 'notify',
        outcome: 'skipped',
        requestId: r.id,
        reason: 'invitation telefonisk (sundhedspleje i hjemmet)',
      });
    } else if (!r.routedAt) {
      const ledgerKey = `notify:children:${r.id}:request-to-unit`;
      const mail = requestToUnitMail({
        requestId: r.id,
        unit,
        proposedStart: r.proposedStart,
        placeType: r.placeType,
        deadlineAt: r.deadlineAt,
        workingDays: this.settings.acceptWorkingDays,
        attachments: attachments.length,
        meetingFirst: r.warnings?.includes('MEETING_BEFORE_ACCEPT_DEADLINE'),
        acceptUrl: this.settings.links?.url(r.id, new Date(r.deadlineAt)),
      });
      // The calendar invitation of the first meeting: the meeting's real start and end, the place; no CPR, names or home address.
      const ics = childrenMeetingIcs({
        meetingId: `${r.id}-m1`,
        sequence: 0,
        start: r.proposedStart,
        r,
        unit,
        organizer: this.settings.organizer ?? SANDBOX_ORGANIZER,
        attendees: [unit.mailbox],
        stamp: r.receivedAt,
        followUp: false,
      });
      const deliveryId = await sendMailOnce(this.deps, {
        ledgerKey,
        message: {
          id: `children-request-${r.id}`,
          to: [unit.mailbox],
          ...mail,
          attachments: [
            { filename: `anmodningsskema-${r.id}.pdf`, contentType: 'application/pdf', content: pdf },
            ...attachments,
            { filename: 'samarbejdsmoede.ics', contentType: CHILDREN_ICS_CONTENT_TYPE, content: ics },
          ],
        },
        action: 'notify.children-request',
        ids: { requestId: r.id },
        externalIds: { unit: r.unit },
      });
      await this.deps.store.update(r.id, { unitDeliveryId: deliveryId });
      await this.deps.store.milestone(r.id, 'routedAt', this.deps.now().toISOString());
    }

    const contacts = await this.deps.store.getContacts(r.id);
    const notice = reminderRecipients({ localLeader: r.leaderMailbox, meetingLeader: contacts?.meetingLeader?.email });
    if (r.warnings?.includes('MEETING_BEFORE_ACCEPT_DEADLINE') && notice.to.length) {
      // The local leader is told, in Danish, that the unit has less time than usual (once: ledger + message id).
      const ledgerKey = `notify:children:${r.id}:short-notice`;
      const mail = shortNoticeMail({
        requestId: r.id,
        unit,
        proposedStart: r.proposedStart,
        deadlineAt: r.deadlineAt,
        workingDays: this.settings.acceptWorkingDays,
      });
      await sendMailOnce(this.deps, {
        ledgerKey,
        message: {
          id: `children-short-notice-${r.id}`,
          to: notice.to,
          ...(notice.cc.length ? { cc: notice.cc } : {}),
          ...mail,
        },
        action: 'notify.children-short-notice',
        ids: { requestId: r.id },
      });
    }

    if (!r.journaledAt) {
      const date = localParts(new Date(r.receivedAt)).date;
      const filed = await this.deps.journal.journal({
        cpr: form.child.cpr,
        sourceId: `children-request-${r.id}`,
        kind: 'request-form',
        title: REQUEST_FORM_TITLE,
        documentType: this.settings.documentType,
        date,
        pdf,
        requestId: r.id,
      });
      // The agreement forms go to the same case later, when the CPR is no longer held here.
      const caseRef = filed.caseFileIdentifier ?? requireCase();
      const attachmentIds: string[] = [];
      // Attachments (earlier assessments and the like) are filed as documents of their own on the same case.
      for (const [i, a] of attachments.entries()) {
        const doc = await this.deps.journal.journal({
          caseRef,
          sourceId: `children-request-${r.id}-bilag-${i + 1}`,
          kind: 'request-attachment',
          title: `Bilag ${i + 1} til anmodningsskema: ${a.filename}`.slice(0, 200),
          documentType: this.settings.documentType,
          date,
          pdf: a.content,
          requestId: r.id,
        });
        attachmentIds.push(doc.documentIdentifier);
      }
      await this.deps.store.update(r.id, {
        caseRef,
        requestDocumentId: filed.documentIdentifier,
        attachmentDocumentIds: attachmentIds,
      });
      await this.deps.store.milestone(r.id, 'journaledAt', this.deps.now().toISOString());
    }
    await this.deps.store.clearProblem(r.id);
    await this.deps.store.deleteForm(r.id, this.deps.now().toISOString());
    return 'routed';
  }
}

function requireCase(): never {
  throw new PermanentError('eDoc did not report the case the request form was filed on', 'EDOC_CASE_UNKNOWN', 'edoc');
}
