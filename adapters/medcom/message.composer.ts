import { PermanentError } from '../../src/common/errors';
import type { GpMessageFormat } from '../directory/directory.port';
import { checkCareCommunication } from './fhir/carecommunication.check';
import { fromFhirJson, fromFhirXml } from './fhir/fhir-model';
import { buildCareCommunicationBundle, serializeFhir } from './fhir-carecommunication.builder';
import type { OutgoingLetter } from './outgoing-letter';
import { buildXdis91 } from './xdis91.builder';
import { parseXmlBytes } from './xml/safe-xml';
import type { SchemaValidator } from './xml/schema-validator';

export interface ComposedMessage {
  bytes: Buffer;
  extension: 'xml' | 'json';
  /** Characters outside ISO-8859-1 that became '?' (XDIS91 only). */
  replacedChars: number;
}

/**
 * Builds a letter in the receiver's format and checks the exact bytes before they may leave:
 * XDIS91 against schemas/xdis91.xsd, FHIR against the CareCommunication rules (read back from the
 * serialised XML or JSON). A failure is MEDCOM_INVALID with the problems found – no personal data.
 */
export class MessageComposer {
  constructor(private readonly xdis91Validator: SchemaValidator, private readonly xdis91BlockChars: number) {}

  async compose(format: GpMessageFormat, letter: OutgoingLetter): Promise<ComposedMessage> {
    if (format === 'xdis91') {
      const built = buildXdis91(letter, { maxBlockChars: this.xdis91BlockChars });
      const problems = await this.xdis91Validator.validate(built.bytes);
      if (problems.length) throw invalid(letter.letterId, 'XDIS91 (schemas/xdis91.xsd)', problems);
      return { bytes: built.bytes, extension: 'xml', replacedChars: built.replacedChars };
    }
    const bytes = serializeFhir(buildCareCommunicationBundle(letter), format);
    const model = format === 'fhir-json' ? fromFhirJson(JSON.parse(bytes.toString('utf8'))) : fromFhirXml(parseXmlBytes(bytes));
    const problems = checkCareCommunication(model);
    if (problems.length) throw invalid(letter.letterId, 'FHIR CareCommunication', problems);
    return { bytes, extension: format === 'fhir-json' ? 'json' : 'xml', replacedChars: 0 };
  }
}

function invalid(letterId: string, what: string, problems: string[]): PermanentError {
  const shown = problems.slice(0, 5).join('; ');
  return new PermanentError(`letter ${letterId} is not valid ${what}: ${shown}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`, 'MEDCOM_INVALID', 'medcom');
}
