import type { FhirFormat, GpMessageFormat } from '../../src/domain/gp-message-formats';
import { shippedFile } from '../../src/infra/project-root';
import { CARE_COMMUNICATION_CATEGORY } from './fhir-carecommunication.builder';
import { medcomFormat } from './formats/medcom-formats.registry';
import { buildVansEnvelope, CARE_COMMUNICATION_ENVELOPE_VERSION } from './fhir/vans-envelope';
import type { OutgoingLetter } from './outgoing-letter';
import { sanitiseText } from './text/sanitise';
import { schemaValidator, SchemaValidator } from './xml/schema-validator';

export interface ComposedMessage {
  bytes: Buffer;
  extension: 'xml' | 'json';
  /** Characters outside ISO-8859-1 that became '?' (XDIS91 only). */
  replacedChars: number;
  /** Which characters those were (U+XXXX, each once), as listed at the end of the letter. */
  replacedList: string[];
  /** Letters written as a transliteration, "U+0152→OE" (XDIS91 only). */
  transliteratedList: string[];
  /** FHIR in a MedCom VANSEnvelope (MEDCOM_FHIR_ENVELOPE or the practice's fhirEnvelope). */
  enveloped: boolean;
  /** Control characters that became a line break, and those removed (every format). */
  lineBreaks: number;
  removedControls: number;
}

/** What the letter workflow composes with: a MessageComposer, or a test's wrapper around one. */
export interface LetterComposer {
  compose(format: GpMessageFormat, letter: OutgoingLetter): Promise<ComposedMessage>;
}

/** The composer's settings (MedcomSettings has both). */
export interface ComposerOptions {
  xdis91BlockChars: number;
  fhirEnvelope: boolean;
}

/**
 * A composer with the shipped XDIS91 schema and the given settings. The schema document is read and
 * parsed on first use and kept for the life of the process (schemaValidator), never per letter.
 */
export function messageComposer(o: ComposerOptions): MessageComposer {
  return new MessageComposer(schemaValidator(shippedFile('schemas', 'xdis91.xsd')), o.xdis91BlockChars, { fhirEnvelope: o.fhirEnvelope });
}

/**
 * Builds a letter in the receiver's format and checks the exact bytes before they may leave:
 * XDIS91 against schemas/xdis91.xsd, FHIR against the CareCommunication rules (read back from the
 * serialised XML or JSON). A failure is MEDCOM_INVALID with the problems found – no personal data.
 */
export class MessageComposer implements LetterComposer {
  constructor(
    private readonly xdis91Validator: SchemaValidator,
    private readonly xdis91BlockChars: number,
    /** MEDCOM_FHIR_ENVELOPE: every FHIR letter in a VANSEnvelope (a practice may ask for it alone: GpPractice.fhirEnvelope). */
    private readonly opts: { fhirEnvelope?: boolean } = {},
  ) {}

  async compose(format: GpMessageFormat, original: OutgoingLetter): Promise<ComposedMessage> {
    const { letter, lineBreaks, removedControls } = sanitiseLetter(original);
    const def = medcomFormat(format);
    const built = await def.build(letter, { xdis91Validator: this.xdis91Validator, xdis91BlockChars: this.xdis91BlockChars });
    const changes = {
      replacedChars: built.replacedChars,
      replacedList: built.replacedList,
      transliteratedList: built.transliteratedList,
      lineBreaks,
      removedControls,
    };
    if (def.envelopable && (this.opts.fhirEnvelope || letter.receiver.fhirEnvelope)) {
      // The checked message, as it is, base64 inside the envelope: envelope id = Bundle.id, message id = MessageHeader.id.
      const wrapped = buildVansEnvelope({
        envelopeId: letter.envelopeId,
        messageId: letter.letterId,
        name: `MCM:FDIS91#${CARE_COMMUNICATION_CATEGORY}`,
        version: CARE_COMMUNICATION_ENVELOPE_VERSION,
        format: format as FhirFormat,
        data: built.bytes,
      });
      return { bytes: wrapped, extension: 'xml', enveloped: true, ...changes };
    }
    return { bytes: built.bytes, extension: built.extension, enveloped: false, ...changes };
  }
}

/** Every text field of the letter through the one sanitiser, with the counts summed. */
function sanitiseLetter(letter: OutgoingLetter): { letter: OutgoingLetter; lineBreaks: number; removedControls: number } {
  let lineBreaks = 0;
  let removedControls = 0;
  const clean = (s: string, oneLine = false) => {
    const r = sanitiseText(s);
    lineBreaks += r.lineBreaks;
    removedControls += r.removed;
    return oneLine ? r.text.replace(/[\r\n]+/g, ' ') : r.text;
  };
  return {
    letter: {
      ...letter,
      subject: clean(letter.subject, true),
      text: clean(letter.text),
      patient: { ...letter.patient, givenName: clean(letter.patient.givenName, true), surname: clean(letter.patient.surname, true) },
      author: {
        ...letter.author,
        givenName: clean(letter.author.givenName, true),
        familyName: clean(letter.author.familyName, true),
        role: clean(letter.author.role, true),
      },
      sender: { ...letter.sender, name: clean(letter.sender.name, true) },
      receiver: { ...letter.receiver, name: clean(letter.receiver.name, true) },
    },
    lineBreaks,
    removedControls,
  };
}
