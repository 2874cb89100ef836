import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * The outer SOAP 1.1 layer of eDoc's edoc.asmx (document/literal, namespace http://tempuri.org/).
 * Every operation carries one string parameter, `XmlDocument`, whose text is the inner eDoc XML, and
 * answers `<OpResponse><OpResult>{inner XML as text}</OpResult></OpResponse>`. The inner XML therefore
 * travels escaped; the builder below does that escaping, so callers pass plain XML strings.
 */
export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const TEMPURI_NS = 'http://tempuri.org/';

export const EDOC_OPERATIONS = [
  'SearchCaseFile',
  'CreateDocumentAndDocumentVersion',
  'SearchDocument',
  'GetItemList',
  'GetSystemInfo',
] as const;
export type EdocOperation = (typeof EDOC_OPERATIONS)[number];

const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

// Namespace-agnostic on purpose: servers differ in which prefixes they use for the envelope.
const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
});

/** The SOAPAction header value, quoted as ASMX clients send it. */
export function soapAction(op: EdocOperation): string {
  return `"${TEMPURI_NS}${op}"`;
}

function envelope(body: Record<string, unknown>): string {
  return XML_DECL + builder.build({ 'soap:Envelope': { '@_xmlns:soap': SOAP_ENV_NS, 'soap:Body': body } });
}

/** `innerXml` undefined: an operation without parameters (GetSystemInfo, an empty element in the WSDL). */
export function buildRequestEnvelope(op: EdocOperation, innerXml: string | undefined): string {
  return envelope({ [op]: innerXml === undefined ? { '@_xmlns': TEMPURI_NS } : { '@_xmlns': TEMPURI_NS, XmlDocument: innerXml } });
}

/** A successful answer; `innerXml` undefined leaves the result element out (a malformed answer, used by tests). */
export function buildResponseEnvelope(op: string, innerXml: string | undefined): string {
  const response: Record<string, unknown> = { '@_xmlns': TEMPURI_NS };
  if (innerXml !== undefined) response[`${op}Result`] = innerXml;
  return envelope({ [`${op}Response`]: response });
}

export function buildFaultEnvelope(faultcode: 'soap:Client' | 'soap:Server', faultstring: string): string {
  return envelope({ 'soap:Fault': { faultcode, faultstring } });
}

export class EnvelopeError extends Error {}

function parseEnvelopeBody(xml: string): Record<string, unknown> {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch {
    throw new EnvelopeError('not well-formed XML');
  }
  const env = doc.Envelope as Record<string, unknown> | undefined;
  const body = env?.Body;
  if (!body || typeof body !== 'object') throw new EnvelopeError('no SOAP Envelope/Body');
  return body as Record<string, unknown>;
}

export interface SoapFault {
  faultcode: string;
  faultstring: string;
}

/** The fault in a SOAP answer, if it is one. Never throws. */
export function readFault(xml: unknown): SoapFault | undefined {
  if (typeof xml !== 'string' || !xml.includes('Fault')) return undefined;
  try {
    const fault = parseEnvelopeBody(xml).Fault as Record<string, unknown> | undefined;
    if (!fault) return undefined;
    return { faultcode: String(fault.faultcode ?? ''), faultstring: String(fault.faultstring ?? '') };
  } catch {
    return undefined;
  }
}

/**
 * Reads `<OpResponse><OpResult>` from an answer. Returns the inner XML text, or undefined when the
 * result element is absent. Throws EnvelopeError when the answer is not a SOAP envelope for `op`.
 */
export function readResult(op: EdocOperation, xml: string): string | undefined {
  const body = parseEnvelopeBody(xml);
  const response = body[`${op}Response`];
  if (response === undefined) throw new EnvelopeError(`no ${op}Response element`);
  if (response === '' || typeof response !== 'object') return undefined;
  const result = (response as Record<string, unknown>)[`${op}Result`];
  return typeof result === 'string' && result.length > 0 ? result : undefined;
}

/** Server side (the sandbox): which operation a request calls and its XmlDocument text. */
export function readRequest(xml: string): { op: string; xmlDocument: string | undefined } {
  const body = parseEnvelopeBody(xml);
  const ops = Object.keys(body);
  if (ops.length !== 1) throw new EnvelopeError('SOAP Body must hold exactly one operation element');
  const op = ops[0];
  const el = body[op];
  const doc = el && typeof el === 'object' ? (el as Record<string, unknown>).XmlDocument : undefined;
  return { op, xmlDocument: typeof doc === 'string' ? doc : undefined };
}
