/**
 * Canonical URLs, code systems and identifier systems of MedCom's FHIR messaging (CareCommunication
 * IG 5.0, Acknowledgement IG 2.0), as published by MedCom (medcomfhir.dk) and used in its official
 * examples.
 */
export const FHIR_NS = 'http://hl7.org/fhir';
export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

const CC = 'http://medcomfhir.dk/ig/carecommunication/StructureDefinition';
const CORE = 'http://medcomfhir.dk/ig/core/StructureDefinition';
const TERM = 'http://medcomfhir.dk/ig/terminology/CodeSystem';
const ACK = 'http://medcomfhir.dk/ig/acknowledgement/StructureDefinition';

export const PROFILE = {
  careCommunicationMessage: `${CC}/medcom-careCommunication-message`,
  careCommunicationHeader: `${CC}/medcom-careCommunication-messageHeader`,
  careCommunication: `${CC}/medcom-careCommunication-communication`,
  careCommunicationProvenance: `${CC}/medcom-careCommunication-provenance`,
  patient: `${CORE}/medcom-core-patient`,
  practitioner: `${CORE}/medcom-core-practitioner`,
  practitionerRole: `${CORE}/medcom-core-practitionerrole`,
  organization: 'http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-organization',
  messagingProvenance: 'http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-provenance',
  acknowledgementMessage: `${ACK}/medcom-messaging-acknowledgement`,
  acknowledgementHeader: `${ACK}/medcom-messaging-acknowledgementHeader`,
  acknowledgementOutcome: `${ACK}/medcom-acknowledgement-operationoutcome`,
} as const;

export const EXTENSION = {
  destinationUse: 'http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-destinationUseExtension',
  payloadDateTime: `${CORE}/medcom-core-datetime-extension`,
  payloadIdentifier: `${CORE}/medcom-core-identifier-extension`,
  payloadAuthor: `${CORE}/medcom-core-practitioner-extension`,
  payloadAuthorContact: `${CORE}/medcom-core-contact-extension`,
} as const;

export const CODE_SYSTEM = {
  events: `${TERM}/medcom-messaging-eventCodes`,
  destinationUse: `${TERM}/medcom-messaging-destinationUse`,
  careCommunicationCategory: `${TERM}/medcom-careCommunication-categoryCodes`,
  activity: `${TERM}/medcom-messaging-activityCodes`,
  issueType: 'http://hl7.org/fhir/issue-type',
} as const;

export const IDENTIFIER_SYSTEM = {
  gln: 'https://www.gs1.org/gln',
  sor: 'urn:oid:1.2.208.176.1.1',
  cpr: 'urn:oid:1.2.208.176.1.2',
} as const;

export const EVENT = {
  careCommunication: 'care-communication-message',
  acknowledgement: 'acknowledgement-message',
} as const;

export const CARE_COMMUNICATION_DEFINITION =
  'http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|5.0';

/** MessageHeader endpoints are SOR addresses. */
export const sorEndpoint = (sor: string): string => `https://sor2.sum.dsdn.dk/#id=${sor}`;

/** Entry fullUrls follow MedCom's examples: the IG base plus Type/id, so relative references resolve. */
export const fullUrl = (base: 'carecommunication' | 'acknowledgement', type: string, id: string): string =>
  `https://medcomfhir.dk/ig/${base}/${type}/${id}`;

export type AckCode = 'ok' | 'transient-error' | 'fatal-error';
export const ACK_CODES: readonly AckCode[] = ['ok', 'transient-error', 'fatal-error'];
