import type { FhirFormat } from '../../../src/domain/gp-message-formats';
import { checkCareCommunication } from '../fhir/carecommunication.check';
import { fromFhirJson, fromFhirXml } from '../fhir/fhir-model';
import { buildCareCommunicationBundle, serializeFhir } from '../fhir-carecommunication.builder';
import type { OutgoingLetter } from '../outgoing-letter';
import { codePointName, firstInvalidXmlChar } from '../text/sanitise';
import { parseXmlBytes } from '../xml/safe-xml';
import { BuiltMessage, invalidLetter } from './medcom-format';

/**
 * MedCom's CareCommunication as FHIR R4, serialised as XML or JSON, and read back from the exact
 * bytes to check the profile's rules: what leaves is what was checked.
 */
export async function buildCheckedCareCommunication(letter: OutgoingLetter, format: FhirFormat): Promise<BuiltMessage> {
  const bytes = serializeFhir(buildCareCommunicationBundle(letter), format);
  // The parser below reads what it can; XML 1.0's character rules are checked here, so nothing
  // leaves that xmllint (and so a receiver) would call not well-formed.
  const bad = format === 'fhir-xml' ? firstInvalidXmlChar(bytes.toString('utf8')) : null;
  if (bad !== null) throw invalidLetter(letter.letterId, 'FHIR XML', [`not well-formed: invalid character ${codePointName(bad)}`]);
  const model = format === 'fhir-json' ? fromFhirJson(JSON.parse(bytes.toString('utf8'))) : fromFhirXml(parseXmlBytes(bytes));
  const problems = checkCareCommunication(model);
  if (problems.length) throw invalidLetter(letter.letterId, 'FHIR CareCommunication', problems);
  return { bytes, extension: format === 'fhir-json' ? 'json' : 'xml', replacedChars: 0, replacedList: [], transliteratedList: [] };
}
