import { buildCheckedCareCommunication } from './fhir-care-communication';
import type { MedcomFormat } from './medcom-format';

/** FHIR CareCommunication as JSON (application/fhir+json). */
export const fhirJsonFormat: MedcomFormat<'fhir-json'> = {
  name: 'fhir-json',
  receiptFamily: 'fhir',
  idStyle: 'uuid',
  latin1Only: false,
  envelopable: true,
  build: (letter) => buildCheckedCareCommunication(letter, 'fhir-json'),
};
