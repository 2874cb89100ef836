import type { GpMessageFormat } from '../../src/domain/gp-message-formats';
import type { GpPractice } from '../directory/directory.port';

/** Sending letters to a GP over VANS, and what became of them. */
export const MEDCOM_PORT = Symbol('MedcomPort');

export interface GpLetter {
  /** Ledger key: one note version (or invitation) → one letter id, forever. */
  idempotencyKey: string;
  noteId: number;
  noteVersion: number;
  kind: 'meeting-note' | 'meeting-invitation';
  patient: { cpr: string; givenName: string; surname: string };
  receiver: GpPractice;
  subject: string;
  /** Plain text; line breaks become <Break/>. */
  text: string;
}

export type LetterState = 'sent' | 'acknowledged' | 'rejected' | 'gave-up';

export interface SentLetter {
  letterId: string;
  envelopeId: string;
  format: GpMessageFormat;
  state: LetterState;
  /** True when the ledger already had this letter (nothing new was sent). */
  reused: boolean;
}

export interface LetterStatus {
  state: LetterState;
  resends: number;
  refuseCode?: string;
  /** Refusal text from the receipt: one line, CPR-masked, at most 300 characters. */
  refuseText?: string;
  /** XCTL03 | XCTL02 | XCTL01 | fhir-ack: the receipt that settled the letter. */
  receiptType?: string;
  format?: SentLetter['format'];
  /** Every envelope (first send + resends), oldest first. */
  envelopeIds?: string[];
}

export interface MedcomPort {
  /**
   * Hands the letter to VANS exactly once per idempotencyKey and schedules receipt handling.
   * Resolves once the first envelope is handed over (state 'sent'); the receipt arrives later:
   * poll status(letterId), or read the audit trail (action 'medcom.receipt', outcome ok, noteId).
   */
  send(letter: GpLetter): Promise<SentLetter>;
  status(letterId: string): Promise<LetterStatus | null>;
}
