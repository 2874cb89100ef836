import type { FhirFormat } from '../../src/domain/gp-message-formats';
import { uuidFrom } from './letter-ids';
import type { OutgoingLetter } from './outgoing-letter';
import { fhirDateTime } from './text/medcom-time';
import { cprDigits } from './xdis91.builder';
import type {
  Bundle,
  Communication,
  FhirResource as R4Resource,
  MessageHeader,
  Narrative,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  Provenance,
  Reference,
} from 'fhir/r4';
import { escapeText, fhirJsonToXml, FhirResource } from './fhir/fhir-xml.writer';
import {
  CARE_COMMUNICATION_DEFINITION,
  CODE_SYSTEM,
  EVENT,
  EXTENSION,
  fullUrl,
  IDENTIFIER_SYSTEM,
  PROFILE,
  sorEndpoint,
  XHTML_NS,
} from './fhir/medcom-fhir.constants';

/**
 * MedCom FHIR CareCommunication (IG 5.0) as a message Bundle: MessageHeader first, then Patient,
 * Communication, the author's PractitionerRole and Practitioner, sender and receiver Organization
 * and Provenance. Every id is derived from the letter id, so a resend differs only in Bundle.id and
 * Bundle.timestamp (MedCom's reliable-messaging rule: same MessageHeader.id, new envelope).
 *
 * MedCom's activity codes have no "resend": a resend is the same message, so its Provenance keeps
 * activity new-message and the original times.
 *
 * Resources are typed with FHIR R4's definitions (@types/fhir, `fhir/r4`), so a misspelt or
 * misplaced field name fails the compile. Key order is still written by hand: the XML writer emits
 * elements in key order, which must follow the resource definitions.
 */
export const CARE_COMMUNICATION_CATEGORY = 'carecoordination';

export interface CareCommunicationIds {
  messageHeader: string;
  patient: string;
  communication: string;
  communicationIdentifier: string;
  payloadIdentifier: string;
  practitionerRole: string;
  practitioner: string;
  senderOrganization: string;
  receiverOrganization: string;
  provenance: string;
}

/** Resource ids of a letter: MessageHeader.id is the letter id, the rest follow from it. */
export function careCommunicationIds(letterId: string): CareCommunicationIds {
  const id = (part: string) => uuidFrom(`${letterId}|${part}`);
  return {
    messageHeader: letterId,
    patient: id('patient'),
    communication: id('communication'),
    communicationIdentifier: id('communication-identifier'),
    payloadIdentifier: id('payload-1'),
    practitionerRole: id('practitioner-role'),
    practitioner: id('practitioner'),
    senderOrganization: id('sender-organization'),
    receiverOrganization: id('receiver-organization'),
    provenance: id('provenance'),
  };
}

export function buildCareCommunicationBundle(letter: OutgoingLetter): Bundle<R4Resource> {
  const ids = careCommunicationIds(letter.letterId);
  const authorised = fhirDateTime(letter.authorisedAt);
  const ref = (type: R4Resource['resourceType'], id: string): Reference => ({ reference: `${type}/${id}` });
  const text = letter.text.replace(/\r\n?/g, '\n');
  const patientName = `${letter.patient.givenName} ${letter.patient.surname}`.trim();
  const authorName = `${letter.author.givenName} ${letter.author.familyName}`;

  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id: ids.messageHeader,
    meta: { profile: [PROFILE.careCommunicationHeader] },
    text: narrative('generated', [`Care Communication Message from ${letter.sender.name} to ${letter.receiver.name}`]),
    eventCoding: { system: CODE_SYSTEM.events, code: EVENT.careCommunication },
    destination: [
      {
        extension: [{ url: EXTENSION.destinationUse, valueCoding: { system: CODE_SYSTEM.destinationUse, code: 'primary' } }],
        endpoint: sorEndpoint(letter.receiver.sor),
        receiver: ref('Organization', ids.receiverOrganization),
      },
    ],
    sender: ref('Organization', ids.senderOrganization),
    source: { endpoint: sorEndpoint(letter.sender.sor) },
    focus: [ref('Communication', ids.communication)],
    definition: CARE_COMMUNICATION_DEFINITION,
  };
  const patient: Patient = {
    resourceType: 'Patient',
    id: ids.patient,
    meta: { profile: [PROFILE.patient] },
    text: narrative('generated', [`${patientName} (${letter.patient.cpr})`]),
    identifier: [{ system: IDENTIFIER_SYSTEM.cpr, value: cprDigits(letter.patient.cpr) }],
    name: [
      {
        use: 'official',
        family: letter.patient.surname,
        ...(givenNames(letter.patient.givenName).length ? { given: givenNames(letter.patient.givenName) } : {}),
      },
    ],
  };
  const communication: Communication = {
    resourceType: 'Communication',
    id: ids.communication,
    meta: { profile: [PROFILE.careCommunication] },
    text: narrative('extensions', [
      `Kategori: Forløbskoordinering`,
      `Emne: ${letter.subject}`,
      `Forfatter: ${authorName}, ${letter.author.role}, tlf. ${letter.author.phone}`,
      ...text.split('\n'),
    ]),
    identifier: [{ value: `urn:uuid:${ids.communicationIdentifier}` }],
    status: 'unknown',
    category: [{ coding: [{ system: CODE_SYSTEM.careCommunicationCategory, code: CARE_COMMUNICATION_CATEGORY }] }],
    subject: ref('Patient', ids.patient),
    topic: { text: letter.subject },
    payload: [
      {
        extension: [
          { url: EXTENSION.payloadDateTime, valueDateTime: authorised },
          {
            url: EXTENSION.payloadIdentifier,
            valueIdentifier: { value: `urn:uuid:${ids.payloadIdentifier}`, assigner: ref('Organization', ids.senderOrganization) },
          },
          { url: EXTENSION.payloadAuthor, valueReference: ref('PractitionerRole', ids.practitionerRole) },
          { url: EXTENSION.payloadAuthorContact, valueContactPoint: { system: 'phone', value: letter.author.phone } },
        ],
        contentString: text,
      },
    ],
  };
  const practitionerRole: PractitionerRole = {
    resourceType: 'PractitionerRole',
    id: ids.practitionerRole,
    meta: { profile: [PROFILE.practitionerRole] },
    text: narrative('generated', [`${authorName}: ${letter.author.role}`]),
    practitioner: ref('Practitioner', ids.practitioner),
    organization: ref('Organization', ids.senderOrganization),
    code: [{ text: letter.author.role }],
  };
  const practitioner: Practitioner = {
    resourceType: 'Practitioner',
    id: ids.practitioner,
    meta: { profile: [PROFILE.practitioner] },
    text: narrative('generated', [authorName]),
    name: [{ family: letter.author.familyName, given: givenNames(letter.author.givenName) }],
  };
  const provenance: Provenance = {
    resourceType: 'Provenance',
    id: ids.provenance,
    meta: { profile: [PROFILE.careCommunicationProvenance] },
    text: narrative('generated', [`Ny meddelelse sendt ${authorised}`]),
    target: [ref('MessageHeader', ids.messageHeader)],
    occurredDateTime: authorised,
    recorded: authorised,
    activity: { coding: [{ system: CODE_SYSTEM.activity, code: 'new-message' }] },
    agent: [{ who: ref('Organization', ids.senderOrganization) }],
    entity: [{ role: 'source', what: { identifier: { value: `urn:uuid:${ids.payloadIdentifier}` } } }],
  };
  const resources: R4Resource[] = [
    header,
    patient,
    communication,
    practitionerRole,
    practitioner,
    organization(ids.senderOrganization, letter.sender.ean, letter.sender.sor, letter.sender.name),
    organization(ids.receiverOrganization, letter.receiver.ean, letter.receiver.sor, letter.receiver.name),
    provenance,
  ];

  return {
    resourceType: 'Bundle',
    id: letter.envelopeId,
    meta: { profile: [PROFILE.careCommunicationMessage] },
    type: 'message',
    timestamp: fhirDateTime(letter.sentAt),
    entry: resources.map((r) => ({ fullUrl: fullUrl('carecommunication', r.resourceType, String(r.id)), resource: r })),
  };
}

/** The Bundle as FHIR JSON or XML (the XML writer walks plain JSON: an R4 type is JSON by construction). */
export function serializeFhir(bundle: Bundle<R4Resource>, format: FhirFormat): Buffer {
  return Buffer.from(
    format === 'fhir-json' ? `${JSON.stringify(bundle, null, 2)}\n` : fhirJsonToXml(bundle as unknown as FhirResource),
    'utf8',
  );
}

function organization(id: string, ean: string, sor: string, name: string): Organization {
  return {
    resourceType: 'Organization',
    id,
    meta: { profile: [PROFILE.organization] },
    text: narrative('generated', [`${name} (GLN ${ean}, SOR ${sor})`]),
    identifier: [
      { system: IDENTIFIER_SYSTEM.gln, value: ean },
      { system: IDENTIFIER_SYSTEM.sor, value: sor },
    ],
    name,
  };
}

/** FHIR lists given names one by one ("Anna Marie" → ["Anna", "Marie"]). */
function givenNames(names: string): string[] {
  return names.split(/\s+/).filter(Boolean);
}

/** MedCom requires a narrative on every resource: a plain XHTML rendering of its content. */
function narrative(status: Narrative['status'], lines: string[]): Narrative {
  const body = lines.map((l) => `<p>${escapeText(l) || '&#160;'}</p>`).join('');
  return { status, div: `<div xmlns="${XHTML_NS}">${body}</div>` };
}
