import type { NotifyPort } from '../../../adapters/notify/notify.port';
import { AuditService } from '../../audit/audit.service';
import { PermanentError, RetryableError } from '../../common/errors';
import { meetingAudience } from '../../domain/children-participants';
import { localParts } from '../../common/local-time';
import { Ledger } from '../../ledger/ledger';
import type { DocumentJournal } from '../journal-document/journal-document.service';
import { RenderFormPdf, renderFormPdf } from '../../documents/form-pdf.renderer';
import { AGREEMENT_FORM_TITLE, agreementFormDocument } from './children.documents';
import { agreementMail, agreementUnreachedMail } from './children.messages';
import type { ChildrenUnits } from './children.units';
import type { ChildrenStore } from './children.store';

export type AgreementResult = 'done' | 'already-done' | 'gone';

/**
 * 'children.journal-agreement': the agreement form of one meeting is journaled on the child's eDoc
 * case (the case the request form went to) and sent to every participant with an address, on the
 * local leader's behalf; then the form's personal data is deleted.
 */
export class JournalAgreementStep {
  constructor(
    private readonly store: ChildrenStore,
    private readonly units: ChildrenUnits,
    private readonly notify: NotifyPort,
    private readonly journal: Pick<DocumentJournal, 'journal'>,
    private readonly ledger: Ledger,
    private readonly audit: AuditService,
    private readonly settings: { documentType: string },
    private readonly now: () => Date = () => new Date(),
    /** The service renders on a worker thread under a time budget (CpuWork); tests may render in place. */
    private readonly renderPdf: RenderFormPdf = renderFormPdf,
  ) {}

  async run(meetingId: string): Promise<AgreementResult> {
    const m = await this.store.getMeeting(meetingId);
    const r = m && (await this.store.get(m.requestId));
    if (!m || !r) return 'gone';
    if (m.agreementJournaledAt && m.agreementSentAt) {
      await this.store.deleteAgreement(m.id, this.now().toISOString());
      return 'already-done';
    }
    const form = await this.store.getAgreement(m.id);
    if (!form) {
      throw new PermanentError(
        'the agreement form is no longer held (retention passed); it must be submitted again',
        'CHILDREN_FORM_EXPIRED',
      );
    }
    // The case is known once the request form is journaled; until then, wait (retry with backoff).
    if (!r.caseRef)
      throw new RetryableError('the request form is not journaled yet, so the eDoc case is not known', 'CHILDREN_CASE_PENDING', 'edoc');

    const unit = this.units.get(r.unit);
    const heldAt = m.heldAt ?? m.scheduledStart;
    const pdf = await this.renderPdf(agreementFormDocument(form, m, unit));

    if (!m.agreementJournaledAt) {
      const filed = await this.journal.journal({
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
      await this.store.updateMeeting(m.id, {
        agreementDocumentId: filed.documentIdentifier,
        agreementJournaledAt: this.now().toISOString(),
      });
    }

    if (!m.agreementSentAt) {
      // "til alle mødedeltagere": the form's participants, the request's parents and the meeting leader, merged by name.
      const contacts = await this.store.getContacts(r.id);
      const audience = meetingAudience({
        participants: form.participants,
        parents: contacts?.parents,
        meetingLeader: contacts?.meetingLeader,
      });
      const to = audience.mailboxes;
      const attachment = { filename: `aftaleskema-${m.id}.pdf`, contentType: 'application/pdf', content: pdf };
      if (to.length === 0) {
        await this.audit.record({
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
        const sent = await this.ledger.runOnce(
          ledgerKey,
          'notify.send',
          {
            perform: async () =>
              (await this.notify.send({ id: `children-agreement-${m.id}`, to, ...mail, attachments: [attachment] })).deliveryId,
          },
          { requestId: r.id, meetingId: m.id },
        );
        await this.store.updateMeeting(m.id, { agreementDeliveryId: sent.externalId });
        await this.audit.record({
          action: 'notify.children-agreement',
          system: 'notify',
          outcome: sent.outcome === 'recorded' ? 'reused' : 'ok',
          requestId: r.id,
          meetingId: m.id,
          externalIds: { deliveryId: sent.externalId, recipients: String(to.length) },
          ledgerKey,
        });
      }
      const leader = contacts?.localLeader.email ?? r.leaderMailbox;
      if (audience.unreached.length && leader) {
        // The local leader sends it to those without an address by other means: their names go in this mail's body only.
        const ledgerKey = `notify:children:${m.id}:agreement-unreached`;
        const mail = agreementUnreachedMail({ meetingId: m.id, heldAt, unreached: audience.unreached });
        const sent = await this.ledger.runOnce(
          ledgerKey,
          'notify.send',
          {
            perform: async () =>
              (await this.notify.send({ id: `children-agreement-unreached-${m.id}`, to: [leader], ...mail, attachments: [attachment] }))
                .deliveryId,
          },
          { requestId: r.id, meetingId: m.id },
        );
        await this.audit.record({
          action: 'notify.children-agreement-unreached',
          system: 'notify',
          outcome: sent.outcome === 'recorded' ? 'reused' : 'ok',
          requestId: r.id,
          meetingId: m.id,
          externalIds: { deliveryId: sent.externalId, unreached: String(audience.unreached.length) },
          ledgerKey,
        });
      } else if (audience.unreached.length) {
        await this.audit.record({
          action: 'notify.children-agreement-unreached',
          system: 'notify',
          outcome: 'skipped',
          requestId: r.id,
          meetingId: m.id,
          reason: 'no local leader mailbox',
        });
      }
      await this.store.updateMeeting(m.id, { agreementSentAt: this.now().toISOString() });
    }
    await this.store.deleteAgreement(m.id, this.now().toISOString());
    return 'done';
  }
}
