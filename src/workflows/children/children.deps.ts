import type { NotifyMessage, NotifyPort } from '../../../adapters/notify/notify.port';
import type { AuditService } from '../../audit/audit.service';
import type { Ledger } from '../../ledger/ledger';
import type { DocumentJournal } from '../journal-document/journal-document.service';
import type { RenderFormPdf } from '../../documents/form-pdf.renderer';
import type { ChildrenStore } from './children.store';
import type { ChildrenUnits } from './children.units';

/**
 * What the children's steps work with, as one object: a step's constructor then takes these and its
 * own settings, by name, instead of eight positional arguments in an order every caller must repeat.
 */
export interface ChildrenDeps {
  store: ChildrenStore;
  units: ChildrenUnits;
  notify: NotifyPort;
  ledger: Ledger;
  audit: AuditService;
  /** The service's clock. */
  now: () => Date;
}

/** The steps that file in eDoc and render the request's or agreement's PDF. */
export interface ChildrenFilingDeps extends ChildrenDeps {
  journal: Pick<DocumentJournal, 'journal'>;
  /** The service renders on a worker thread under a time budget (CpuWork); tests may render in place. */
  renderPdf?: RenderFormPdf;
}

/** One mail of the children's flow, sent at most once per ledger key and audited. */
export interface MailOnce {
  ledgerKey: string;
  /** Its id is stable across retries, so the SMTP Message-ID (and mail clients) de-duplicate. */
  message: NotifyMessage;
  /** Audit action, e.g. "notify.children-agreement". */
  action: string;
  /** Ids only (never names or addresses): the ledger entry's meta and the audit record's ids. */
  ids: { requestId: string; meetingId?: string };
  /** More audit ids next to the delivery id (a unit code, a recipient count). */
  externalIds?: Record<string, string>;
}

/**
 * Sends a mail exactly once per ledger key (a retry after a crash finds the recorded delivery instead of
 * sending again) and writes its audit record; returns the delivery id. Every mail of the children's
 * flow goes through here.
 */
export async function sendMailOnce(deps: Pick<ChildrenDeps, 'ledger' | 'notify' | 'audit'>, m: MailOnce): Promise<string> {
  const sent = await deps.ledger.runOnce(
    m.ledgerKey,
    'notify.send',
    { perform: async () => (await deps.notify.send(m.message)).deliveryId },
    { ...m.ids },
  );
  await deps.audit.record({
    action: m.action,
    system: 'notify',
    outcome: sent.outcome === 'recorded' ? 'reused' : 'ok',
    ...m.ids,
    externalIds: { deliveryId: sent.externalId, ...m.externalIds },
    ledgerKey: m.ledgerKey,
  });
  return sent.externalId;
}
