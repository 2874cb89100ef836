/** CPR → the citizen's GP practice ("egen læge"), as the national register would answer. */
export const GP_DIRECTORY = Symbol('GpDirectory');

export type { GpMessageFormat } from '../../src/domain/gp-message-formats';
import type { GpMessageFormat } from '../../src/domain/gp-message-formats';

export interface GpPractice {
  ydernummer: string; // 6 digits
  ean: string; // 13-digit EAN/GLN location number
  sor: string;
  name: string;
  /** Formats the receiver accepts, preferred first. */
  formats: GpMessageFormat[];
  /** VANS converts for this receiver: receipts take longer (120 min rule). */
  converted?: boolean;
  /** FHIR letters to this practice go in a MedCom VANSEnvelope written by tsm-bridge (MEDCOM_FHIR_ENVELOPE does it for all). */
  fhirEnvelope?: boolean;
}

export interface GpDirectory {
  /** Throws a PermanentError (code GP_UNKNOWN) when no GP is registered: never a guess. */
  practiceFor(cpr: string): Promise<GpPractice>;
}
