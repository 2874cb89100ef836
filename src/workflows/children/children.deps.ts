import type { NotifyPort } from '../../../adapters/notify/notify.port';
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
