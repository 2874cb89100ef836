import { buildCareCommunicationBundle, careCommunicationIds, serializeFhir } from '../../../adapters/medcom/fhir-carecommunication.builder';
import { checkCareCommunication } from '../../../adapters/medcom/fhir/carecommunication.check';
import {
  entryResources,
  FhirNode,
  fromFhirJson,
  fromFhirXml,
  nodes,
  resourceType,
  str,
  values,
} from '../../../adapters/medcom/fhir/fhir-model';
import { parseXmlBytes } from '../../../adapters/medcom/xml/safe-xml';
import { outgoingLetter } from '../../support/medcom-fixtures';

const letterId = '0ebb6284-eb20-45eb-8113-6620d2d08608';
const letter = (over: Parameters<typeof outgoingLetter>[0] = {}) =>
  outgoingLetter({ letterId, envelopeId: '9c1a5a43-7d3e-4b7e-9a7d-2f3c0c1b2a10', text: 'Linje 1 & <b>\nLinje 2 æøå', ...over });
const read = (format: 'fhir-xml' | 'fhir-json', bytes: Buffer): FhirNode =>
  format === 'fhir-json' ? fromFhirJson(JSON.parse(bytes.toString('utf8'))) : fromFhirXml(parseXmlBytes(bytes));
const byType = (bundle: FhirNode, type: string) => entryResources(bundle).filter((r) => resourceType(r) === type);

describe('FHIR CareCommunication builder', () => {
  it.each(['fhir-xml', 'fhir-json'] as const)('%s: a message Bundle that passes the CareCommunication rules', (format) => {
    const bundle = read(format, serializeFhir(buildCareCommunicationBundle(letter()), format));
    expect(checkCareCommunication(bundle)).toEqual([]);
    expect(str(bundle, 'type')).toBe('message');
    expect(str(bundle, 'timestamp')).toBe('2026-12-03T10:15:00+01:00');
    expect(entryResources(bundle).map(resourceType)).toEqual([
      'MessageHeader',
      'Patient',
      'Communication',
      'PractitionerRole',
      'Practitioner',
      'Organization',
      'Organization',
      'Provenance',
    ]);

    const [header] = entryResources(bundle);
    expect(str(header, 'id')).toBe(letterId);
    expect(str(header, 'eventCoding.code')).toBe('care-communication-message');
    expect(str(header, 'definition')).toBe(
      'http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|5.0',
    );
    expect(str(header, 'destination.endpoint')).toBe('https://sor2.sum.dsdn.dk/#id=123451000016001');

    const [patient] = byType(bundle, 'Patient');
    expect(nodes(patient, 'identifier').map((i) => [str(i, 'system'), str(i, 'value')])).toEqual([
      ['urn:oid:1.2.208.176.1.2', '0101401234'],
    ]);
    expect(values(patient, 'name.given')).toEqual(['Anna', 'Marie']);
    expect(str(patient, 'name.family')).toBe('Jensen');

    const [communication] = byType(bundle, 'Communication');
    expect(str(communication, 'category.coding.code')).toBe('carecoordination');
    expect(str(communication, 'topic.text')).toBe('Faldtendens og medicin');
    expect(str(communication, 'identifier.value')).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(str(communication, 'payload.contentString')).toBe('Linje 1 & <b>\nLinje 2 æøå');
    expect(values(communication, 'payload.extension.url')).toHaveLength(4);

    const orgs = byType(bundle, 'Organization').map((o) => nodes(o, 'identifier').map((i) => `${str(i, 'system')}|${str(i, 'value')}`));
    expect(orgs).toEqual([
      ['https://www.gs1.org/gln|5790000123456', 'urn:oid:1.2.208.176.1.1|123456789012345'],
      ['https://www.gs1.org/gln|5790001234567', 'urn:oid:1.2.208.176.1.1|123451000016001'],
    ]);
    const [provenance] = byType(bundle, 'Provenance');
    expect(str(provenance, 'activity.coding.code')).toBe('new-message');
    expect(str(provenance, 'target.reference')).toBe(`MessageHeader/${letterId}`);
  });

  it('writes line breaks in FHIR XML as &#xA; and escapes markup in attribute values', () => {
    const xml = serializeFhir(buildCareCommunicationBundle(letter()), 'fhir-xml').toString('utf8');
    expect(xml).toContain('<contentString value="Linje 1 &amp; &lt;b&gt;&#xA;Linje 2 æøå"/>');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Bundle xmlns="http://hl7.org/fhir">')).toBe(true);
  });

  it('XML and JSON carry the same content', () => {
    const b = buildCareCommunicationBundle(letter());
    expect(read('fhir-xml', serializeFhir(b, 'fhir-xml'))).toEqual(read('fhir-json', serializeFhir(b, 'fhir-json')));
  });

  it('a resend keeps MessageHeader.id and every resource id, and changes only Bundle.id and Bundle.timestamp', () => {
    const first = buildCareCommunicationBundle(letter());
    const resend = buildCareCommunicationBundle(
      letter({ envelopeId: '7d0f8f8e-1d3c-4f5a-8b7c-6a5b4c3d2e1f', attempt: 1, sentAt: new Date('2026-12-03T09:45:00Z') }),
    );
    expect(resend.id).not.toBe(first.id);
    expect(resend.timestamp).not.toBe(first.timestamp);
    expect({ ...resend, id: first.id, timestamp: first.timestamp }).toEqual(first);
    expect(careCommunicationIds(letterId).messageHeader).toBe(letterId);
  });

  it('the checker reports what a broken bundle lacks', () => {
    const b = buildCareCommunicationBundle(letter()) as unknown as { entry: Array<{ resource: Record<string, unknown> }> };
    b.entry.splice(1, 1); // drop the Patient
    delete b.entry[1].resource.category;
    const problems = checkCareCommunication(fromFhirJson(b));
    expect(problems).toEqual(
      expect.arrayContaining([
        'the bundle must hold exactly one Patient',
        'Communication.category must be a MedCom CareCommunication category',
        'Communication.subject must reference a Patient in the bundle',
      ]),
    );
  });
});
