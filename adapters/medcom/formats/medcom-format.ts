import { PermanentError } from '../../../src/common/errors';
import type { GpMessageFormat } from '../../../src/domain/gp-message-formats';
import type { OutgoingLetter } from '../outgoing-letter';
import type { SchemaValidator } from '../xml/schema-validator';

/** What building one letter in a format gives back, before any envelope. */
export interface BuiltMessage {
  bytes: Buffer;
  extension: 'xml' | 'json';
  /** Characters the format's character set cannot carry that became '?' (U+XXXX each once). */
  replacedList: string[];
  replacedChars: number;
  /** Letters written as a transliteration, "U+0152→OE". */
  transliteratedList: string[];
}

/** What a format may need to build and check a letter. */
export interface FormatContext {
  xdis91Validator: SchemaValidator;
  xdis91BlockChars: number;
}

/**
 * One MedCom message format: everything the letter workflow and the VANS sandbox need to know about
 * it, in one object. Adding a format is one file with one of these plus one line in the registry.
 */
export interface MedcomFormat<F extends GpMessageFormat = GpMessageFormat> {
  name: F;
  /** Which receipts answer it: OIOXML control messages (XCTL01/02/03) or FHIR acknowledgements. */
  receiptFamily: 'oioxml' | 'fhir';
  /** Ids: OIOXML's 14-character identifiers, or FHIR's UUIDs. */
  idStyle: 'short' | 'uuid';
  /** ISO-8859-1 only: a patient name outside it cannot be sent in this format (NAME_NOT_REPRESENTABLE). */
  latin1Only: boolean;
  /** May travel in a MedCom VANSEnvelope written by us (MEDCOM_FHIR_ENVELOPE, a practice's fhirEnvelope). */
  envelopable: boolean;
  /** Builds the letter and checks the exact bytes (schema or profile rules); throws MEDCOM_INVALID. */
  build(letter: OutgoingLetter, ctx: FormatContext): Promise<BuiltMessage>;
}

/** MEDCOM_INVALID with the first problems found – never personal data. */
export function invalidLetter(letterId: string, what: string, problems: string[]): PermanentError {
  const shown = problems.slice(0, 5).join('; ');
  return new PermanentError(
    `letter ${letterId} is not valid ${what}: ${shown}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`,
    'MEDCOM_INVALID',
    'medcom',
  );
}
