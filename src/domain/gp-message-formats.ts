/**
 * The MedCom message formats a GP practice can receive from us – the names the GP directory, the
 * sandbox seed and `medcom preview --format` use. Each name has exactly one format object in
 * adapters/medcom/formats/ (the registry's type makes a name without one a compile error); the zod
 * enums in schemas/ are derived from this list.
 */
export const GP_MESSAGE_FORMATS = ['xdis91', 'fhir-xml', 'fhir-json'] as const;

export type GpMessageFormat = (typeof GP_MESSAGE_FORMATS)[number];

/** The FHIR serialisations (the VANSEnvelope and FHIR acknowledgements know only these). */
export type FhirFormat = Extract<GpMessageFormat, `fhir-${string}`>;
