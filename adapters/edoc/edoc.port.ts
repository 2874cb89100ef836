/** What workflows may ask of eDoc (the case and document system). */
export const EDOC_PORT = Symbol('EdocPort');

export interface EdocCase {
  caseFileIdentifier: string;
  sequenceNumber: string; // e.g. "24/012345"
  /** CaseFileStatusCodeName as eDoc reports it (e.g. "Åben"); absent when the answer has none. */
  status?: string;
  /** Whether the status is one of EDOC_OPEN_CASE_STATUSES; undefined when eDoc reported no status. */
  open?: boolean;
}

export interface JournalDocumentInput {
  caseRef: string; // CaseFileIdentifier
  title: string;
  documentType: string; // name from the configured code list
  date: string; // YYYY-MM-DD
  pdf: Buffer;
  /** Our source reference; also part of the title so a search can find an upload of unknown outcome. */
  sourceId: string;
}

export interface FiledDocument {
  documentIdentifier: string;
  /** eDoc's Links.OpenDocument for the document, when eDoc gave one (kept in the audit). */
  openLink?: string;
}

export type CaseQuery = { sequenceNumber: string } | { cpr: string } | { caseFileIdentifier: string };

export interface EdocPort {
  findCase(q: CaseQuery): Promise<EdocCase | null>;
  journalDocument(d: JournalDocumentInput): Promise<FiledDocument>;
  findDocument(q: { caseRef: string; title: string }): Promise<FiledDocument | null>;
}
