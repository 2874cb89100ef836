import type { FhirFormat } from '../../../src/domain/gp-message-formats';
import { child, refuse, textOf, XmlElement } from '../xml/safe-xml';
import { escapeAttr, escapeText } from './fhir-xml.writer';

/**
 * MedCom's VANSEnvelope around a FHIR message, as MedCom's public "FHIR messages and network
 * envelopes" page and its reliable-messaging governance describe it:
 * - `Message/MetaInformation/Document`: Format "HL7", Name `MCM:FDIS91#<category code>` (a
 *   CareCommunication) or `MCM:FCTL#<response code>` (an acknowledgement), Version "5.0" / "2.0.0";
 * - `Message/MetaInformation/Transport`: Type "reliable" and `ServiceTag name="MCM:MIME"` =
 *   application/fhir+xml or application/fhir+json;
 * - `Message/Data`: the FHIR message, base64-encoded;
 * - `EnvelopeIdentifier` (new for every send, our envelope id = Bundle.id) and
 *   `Message/MetaInformation/Identifier` (the message id = MessageHeader.id, the same on resends).
 * The element layout beyond these public fields (MedCom's "Den gode VANSEnvelope" PDF and schema) is
 * not available here: no namespace is written, and the VANS client may add its own routing fields.
 */
export const VANS_ENVELOPE_ROOT = 'VANSEnvelope';
export const FHIR_MIME: { readonly [F in FhirFormat]: string } = {
  'fhir-xml': 'application/fhir+xml',
  'fhir-json': 'application/fhir+json',
};
export const CARE_COMMUNICATION_ENVELOPE_VERSION = '5.0';
export const ACKNOWLEDGEMENT_ENVELOPE_VERSION = '2.0.0';

export interface VansEnvelopeFields {
  envelopeId: string;
  messageId: string;
  /** e.g. MCM:FDIS91#carecoordination */
  name: string;
  version: string;
  format: FhirFormat;
  data: Buffer;
}

export function buildVansEnvelope(f: VansEnvelopeFields): Buffer {
  const el = (name: string, value: string) => `<${name}>${escapeText(value)}</${name}>`;
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<${VANS_ENVELOPE_ROOT}>`,
    `  ${el('EnvelopeIdentifier', f.envelopeId)}`,
    '  <Message>',
    '    <MetaInformation>',
    `      ${el('Identifier', f.messageId)}`,
    `      <Document>${el('Format', 'HL7')}${el('Name', f.name)}${el('Version', f.version)}</Document>`,
    `      <Transport>${el('Type', 'reliable')}<ServiceTag name="${escapeAttr('MCM:MIME')}">${FHIR_MIME[f.format]}</ServiceTag></Transport>`,
    '    </MetaInformation>',
    `    ${el('Data', f.data.toString('base64'))}`,
    '  </Message>',
    `</${VANS_ENVELOPE_ROOT}>`,
    '',
  ].join('\n');
  return Buffer.from(xml, 'utf8');
}

export interface UnwrappedEnvelope extends Omit<VansEnvelopeFields, 'format'> {
  format: FhirFormat;
}

/** The FHIR message inside a VANSEnvelope (root element already parsed), with its metadata; hostile input → RECEIPT_MALFORMED. */
export function unwrapVansEnvelope(root: XmlElement): UnwrappedEnvelope {
  if (root.name !== VANS_ENVELOPE_ROOT) throw refuse('RECEIPT_MALFORMED', `not a ${VANS_ENVELOPE_ROOT}`);
  const message = child(root, 'Message');
  const meta = child(message, 'MetaInformation');
  const doc = child(meta, 'Document');
  const tag = child(child(meta, 'Transport'), 'ServiceTag');
  const mime = textOf(tag);
  const format = mime === FHIR_MIME['fhir-json'] ? 'fhir-json' : mime === FHIR_MIME['fhir-xml'] ? 'fhir-xml' : null;
  if (!format || tag?.attrs.name !== 'MCM:MIME')
    throw refuse('RECEIPT_MALFORMED', 'VANSEnvelope without an MCM:MIME service tag for FHIR XML or JSON');
  if (textOf(child(doc, 'Format')) !== 'HL7') throw refuse('RECEIPT_MALFORMED', 'VANSEnvelope Document/Format is not HL7');
  const raw = textOf(child(message, 'Data')).replace(/\s+/g, '');
  if (!raw || !/^[A-Za-z0-9+/]+={0,2}$/.test(raw) || raw.length % 4 !== 0)
    throw refuse('RECEIPT_MALFORMED', 'VANSEnvelope Data is not base64');
  return {
    envelopeId: textOf(child(root, 'EnvelopeIdentifier')),
    messageId: textOf(child(meta, 'Identifier')),
    name: textOf(child(doc, 'Name')),
    version: textOf(child(doc, 'Version')),
    format,
    data: Buffer.from(raw, 'base64'),
  };
}

/** Whether the bytes are a VANSEnvelope (an XML document whose root is VANSEnvelope). */
export function isVansEnvelopeBytes(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 512).toString('utf8');
  return /^\s*(<\?xml[^>]*\?>\s*)?<VANSEnvelope[\s>]/.test(head);
}
