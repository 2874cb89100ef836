import { ChildrenFilingDeps, sendMailOnce } from './children.deps';
import { PermanentError, RetryableError } from '../../common/errors';
import { meetingAudience } from '../../domain/children-participants';
import { localParts } from '../../common/local-time';
import { RenderFormPdf, renderFormPdf } from '../../documents/form-pdf.renderer';
import { AGREEMENT_FORM_TITLE, agreementFormDocument } from './children.documents';
import { agreementMail, agreementUnreachedMail } from './children.messages';

export type AgreementResult = 'done' | 'already-done' | 'gone';

/**
 * 'children.journal-agreement': the agreement form of one meeting is journaled on the child's eDoc
 * case (the case the request form went to) and sent to every participant with an address, on the
 * local leader's behalf; then the form's personal data is deleted.
 */
export class JournalAgreementStep {
  private readonly renderPdf: RenderFormPdf;

  constructor(
    private readonly deps: ChildrenFilingDeps,
    private readonly settings: { documentType: string },
  ) {
    this.renderPdf = deps.renderPdf ?? renderFormPdf;
  }

  async run(meetingId: string): Promise<AgreementResult> {
    const m = await this.deps.store.getMeeting(meetingId);
    const r = m && (await this.deps.store.get(m.requestId));
    if (!m || !r) return 'gone';
    if (m.agreementJournaledAt && m.agreementSentAt) {
      await this.deps.store.deleteAgreement(m.id, this.deps.now().toISOString());
      return 'already-done';
    }
    const form = await this.deps.store.getAgreement(m.id);
    if (!form) {
      throw new PermanentError(
        'the agreement form is no longer held (retention passed); it must be submitted again',
        'CHILDREN_FORM_EXPIRED',
      );
    }
    // The case is known once the request form is journaled; until then, wait (retry with backoff).
    if (!r.caseRef)
      throw new RetryableError('the request form is not journaled yet, so the eDoc case is not known', 'CHILDREN_CASE_PENDING', 'edoc');

    const unit = this.deps.units.get(r.unit);
    const heldAt = m.heldAt ?? m.scheduledStart;
    const pdf = await this.renderPdf(agreementFormDocument(form, m, unit));

    if (!m.agreementJournaledAt) {
      const filed = await this.deps.journal.journal({
        caseRef: r.caseRef,
        sourceId: `children-agreement-${m.id}`,
        kind: 'agreement-form',
        title: AGREEMENT_FORM_TITLE,
        documentType: this.settings.documentType,
        date: localParts(new Date(heldAt)).date,
        pdf,
        requestId: r.id,
        meetingId: m.id,
      });
      await this.deps.store.updateMeeting(m.id, {
        agreementDocumentId: filed.documentIdentifier,
        agreementJournaledAt: this.deps.now().toISOString(),
      });
    }

    if (!m.agreementSentAt) {
      // "til alle mødedeltagere": the form's participants, the request's parents and the meeting leader, merged by name.
      const contacts = await this.deps.store.getContacts(r.id);
      const audience = meetingAudience({
        participants: form.participants,
        parents: contacts?.parents,
        meetingLeader: contacts?.meetingLeader,
      });
      const to = audience.mailboxes;
      const attachment = { filename: `aftaleskema-${m.id}.pdf`, contentType: 'application/pdf', content: pdf };
      if (to.length === 0) {
        await this.deps.audit.record({
          action: 'notify.children-agreement',
          system: 'notify',
          outcome: 'skipped',
          requestId: r.id,
          meetingId: m.id,
          reason: 'no participant has an e-mail address',
        });
      } else {
        const ledgerKey = `notify:children:${m.id}:agreement`;
        const mail = agreementMail({ meetingId: m.id, heldAt, followUpStart: form.followUpMeetingDate });
        const deliveryId = await sendMailOnce(this.deps, {
          ledgerKey,
          message: { id: `children-agreement-${m.id}`, to, ...mail, attachments: [attachment] },
          action: 'notify.children-agreement',
          ids: { requestId: r.id, meetingId: m.id },
          externalIds: { recipients: String(to.length) },
        });
        await this.deps.store.updateMeeting(m.id, { agreementDeliveryId: deliveryId });
      }
      const leader = contacts?.localLeader.email ?? r.leaderMailbox;
      if (audience.unreached.length && leader) {
        // The local leader sends it to those without an address by other means: their names go in this mail's body only.
        const ledgerKey = `notify:children:${m.id}:agreement-unreached`;
        const mail = agreementUnreachedMail({ meetingId: m.id, heldAt, unreached: audience.unreached });
        await sendMailOnce(this.deps, {
          ledgerKey,
          message: {
            id: `children-agreement-unreached-${m.id}`,
            to: [leader],
            ...mail,
            attachments: [attachment],
          },
          action: 'notify.children-agreement-unreached',
          ids: { requestId: r.id, meetingId: m.id },
          externalIds: { unreached: String(audience.unreached.length) },
        });
      } else if (audience.unreached.length) {
        await this.deps.audit.record({
          action: 'notify.children-agreement-unreached',
          system: 'notify',
          outcome: 'skipped',
          requestId: r.id,
          meetingId: m.id,
          reason: 'no local leader mailbox',
        });
      }
      await this.deps.store.updateMeeting(m.id, { agreementSentAt: this.deps.now().toISOString() });
    }
    await this.deps.store.deleteAgreement(m.id, this.deps.now().toISOString());
    return 'done';
  }
}
