import { buildCheckedCareCommunication } from './fhir-care-communication';
import type { MedcomFormat } from './medcom-format';

/** FHIR CareCommunication as XML (application/fhir+xml). */
export const fhirXmlFormat: MedcomFormat<'fhir-xml'> = {
  name: 'fhir-xml',
  receiptFamily: 'fhir',
  idStyle: 'uuid',
  latin1Only: false,
  envelopable: true,
  build: (letter) => buildCheckedCareCommunication(letter, 'fhir-xml'),
};
