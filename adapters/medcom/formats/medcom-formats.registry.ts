import type { GpMessageFormat } from '../../../src/domain/gp-message-formats';
import { fhirJsonFormat } from './fhir-json.format';
import { fhirXmlFormat } from './fhir-xml.format';
import type { MedcomFormat } from './medcom-format';
import { xdis91Format } from './xdis91.format';

/**
 * The one registry of MedCom formats: a format named in src/domain/gp-message-formats.ts without an
 * entry here does not compile. Everything that differs between formats is read from its entry.
 */
export const MEDCOM_FORMATS: { readonly [F in GpMessageFormat]: MedcomFormat<F> } = {
  xdis91: xdis91Format,
  'fhir-xml': fhirXmlFormat,
  'fhir-json': fhirJsonFormat,
};

export const medcomFormat = (name: GpMessageFormat): MedcomFormat => MEDCOM_FORMATS[name];
