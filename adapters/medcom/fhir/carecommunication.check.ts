import { entryResources, FhirNode, nodes, resolveReference, resourceType, str, values } from './fhir-model';
import { CODE_SYSTEM, EVENT, EXTENSION, IDENTIFIER_SYSTEM, PROFILE } from './medcom-fhir.constants';

/**
 * The structural rules of a MedCom CareCommunication message (IG 5.0) that can be checked without a
 * FHIR validator: bundle shape, MessageHeader first with the right event and definition, references
 * that resolve inside the bundle, one Patient, a Communication with identifier, category and text
 * payloads carrying their four extensions, organisations addressed by GLN and SOR, and Provenance.
 * Returns problems as personal-data-free lines; empty means the message passes.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const CPR_SYSTEMS = [IDENTIFIER_SYSTEM.cpr, 'urn:oid:1.2.208.176.1.6.1.'];
const PAYLOAD_EXTENSIONS = [
  EXTENSION.payloadDateTime,
  EXTENSION.payloadIdentifier,
  EXTENSION.payloadAuthor,
  EXTENSION.payloadAuthorContact,
];

export function checkCareCommunication(bundle: FhirNode): string[] {
  const problems: string[] = [];
  const must = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const resolves = (reference: string, type: string, what: string): FhirNode | undefined => {
    const target = reference ? resolveReference(bundle, reference) : undefined;
    must(!!target && reference.startsWith(`${type}/`), `${what} must reference a ${type} in the bundle`);
    return target;
  };

  must(resourceType(bundle) === 'Bundle', 'root must be a Bundle');
  must(str(bundle, 'type') === 'message', 'Bundle.type must be "message"');
  must(!!str(bundle, 'id'), 'Bundle.id is required');
  must(DATE_TIME.test(str(bundle, 'timestamp')), 'Bundle.timestamp must be a dateTime with time zone');
  must(
    values(bundle, 'meta.profile').includes(PROFILE.careCommunicationMessage),
    'Bundle.meta.profile must name the CareCommunication message profile',
  );

  const entries = nodes(bundle, 'entry');
  const seen = new Set<string>();
  for (const [i, entry] of entries.entries()) {
    const res = nodes(entry, 'resource')[0];
    const key = `${resourceType(res)}/${str(res, 'id')}`;
    must(!!res && !!str(res, 'id'), `entry ${i + 1} must hold a resource with an id`);
    must(str(entry, 'fullUrl').endsWith(key), `entry ${i + 1}: fullUrl must end with ${resourceType(res)}/<id>`);
    must(!seen.has(key), `entry ${i + 1}: ${resourceType(res)} id used twice`);
    seen.add(key);
  }

  const resources = entryResources(bundle);
  const header = resources[0];
  must(resourceType(header) === 'MessageHeader', 'the first entry must be the MessageHeader');
  if (resourceType(header) === 'MessageHeader') {
    must(
      str(header, 'eventCoding.system') === CODE_SYSTEM.events && str(header, 'eventCoding.code') === EVENT.careCommunication,
      `MessageHeader.eventCoding must be ${EVENT.careCommunication}`,
    );
    must(
      /\/MedComCareCommunicationMessageDefinition\|5\.\d+$/.test(str(header, 'definition')),
      'MessageHeader.definition must be the CareCommunication 5.x message definition',
    );
    const destinations = nodes(header, 'destination');
    must(destinations.length > 0, 'MessageHeader.destination is required');
    for (const d of destinations) {
      must(!!str(d, 'endpoint'), 'MessageHeader.destination.endpoint is required');
      resolves(str(d, 'receiver.reference'), 'Organization', 'MessageHeader.destination.receiver');
    }
    resolves(str(header, 'sender.reference'), 'Organization', 'MessageHeader.sender');
    must(!!str(header, 'source.endpoint'), 'MessageHeader.source.endpoint is required');
    resolves(str(header, 'focus.reference'), 'Communication', 'MessageHeader.focus');
  }

  const patients = resources.filter((r) => resourceType(r) === 'Patient');
  must(patients.length === 1, 'the bundle must hold exactly one Patient');
  for (const p of patients) {
    must(
      nodes(p, 'identifier').some((i) => CPR_SYSTEMS.some((s) => str(i, 'system').startsWith(s)) && !!str(i, 'value')),
      'Patient.identifier must carry a CPR or replacement CPR number',
    );
  }

  const communications = resources.filter((r) => resourceType(r) === 'Communication');
  must(communications.length === 1, 'the bundle must hold exactly one Communication');
  for (const c of communications) {
    must(
      /^urn:uuid:/.test(str(c, 'identifier.value')) && UUID.test(str(c, 'identifier.value').slice(9)),
      'Communication.identifier must be a urn:uuid',
    );
    must(['unknown', 'entered-in-error'].includes(str(c, 'status')), 'Communication.status must be "unknown"');
    must(
      str(c, 'category.coding.system') === CODE_SYSTEM.careCommunicationCategory && !!str(c, 'category.coding.code'),
      'Communication.category must be a MedCom CareCommunication category',
    );
    resolves(str(c, 'subject.reference'), 'Patient', 'Communication.subject');
    const payloads = nodes(c, 'payload');
    const texts = payloads.filter((p) => values(p, 'contentString').length > 0);
    must(texts.length > 0, 'Communication needs at least one text payload');
    for (const p of texts) {
      const urls = values(p, 'extension.url');
      for (const url of PAYLOAD_EXTENSIONS) must(urls.includes(url), `text payload is missing extension ${url.split('/').pop()}`);
      const author = nodes(p, 'extension').find((e) => str(e, 'url') === EXTENSION.payloadAuthor);
      const role = author ? resolves(str(author, 'valueReference.reference'), 'PractitionerRole', 'payload author') : undefined;
      if (role) {
        const practitioner = resolves(str(role, 'practitioner.reference'), 'Practitioner', 'PractitionerRole.practitioner');
        must(!!practitioner && values(practitioner, 'name').length > 0, 'the author Practitioner must have a name');
        must(!!str(role, 'code.text') || !!str(role, 'code.coding.code'), 'the author PractitionerRole must have a role code');
      }
    }
  }

  for (const org of resources.filter((r) => resourceType(r) === 'Organization')) {
    const systems = values(org, 'identifier.system');
    must(systems.includes(IDENTIFIER_SYSTEM.sor), 'every Organization needs a SOR identifier');
  }

  const provenances = resources.filter((r) => resourceType(r) === 'Provenance');
  must(provenances.length > 0, 'the bundle must hold a Provenance');
  for (const p of provenances) {
    must(
      values(p, 'meta.profile').some((x) => String(x).startsWith(PROFILE.careCommunicationProvenance)),
      'Provenance must use the CareCommunication provenance profile',
    );
    must(
      str(p, 'activity.coding.system') === CODE_SYSTEM.activity && !!str(p, 'activity.coding.code'),
      'Provenance.activity must be a MedCom activity code',
    );
    must(!!str(p, 'agent.who.reference'), 'Provenance.agent.who is required');
    must(!!str(p, 'target.reference'), 'Provenance.target is required');
  }
  return problems;
}
