/** What workflows may ask of eDoc (the case and document system). */
export const EDOC_PORT = Symbol('EdocPort');

export interface EdocCase {
  caseFileIdentifier: string;
  sequenceNumber: string; // e.g. "24/012345"
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

export interface EdocPort {
  findCase(q: { sequenceNumber: string } | { cpr: string }): Promise<EdocCase | null>;
  journalDocument(d: JournalDocumentInput): Promise<{ documentIdentifier: string }>;
  findDocument(q: { caseRef: string; title: string }): Promise<{ documentIdentifier: string } | null>;
}
