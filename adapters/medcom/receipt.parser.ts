import type { FhirFormat } from '../../src/domain/gp-message-formats';
import { maskCpr } from '../../src/logging/redact';
import { entryResources, FhirNode, fromFhirJson, fromFhirXml, nodes, resolveReference, resourceType, str, values } from './fhir/fhir-model';
import { ACK_CODES, AckCode, EVENT, FHIR_NS, IDENTIFIER_SYSTEM } from './fhir/medcom-fhir.constants';
import { unwrapVansEnvelope, VANS_ENVELOPE_ROOT } from './fhir/vans-envelope';
import { child, childElements, decodeXmlBytes, MAX_INBOUND_BYTES, parseXmlText, refuse, textOf, XmlElement } from './xml/safe-xml';

/**
 * Reads one file from the VANS in-folder: an OIOXML control receipt (XCTL03 positive, XCTL02
 * negative, XCTL01 negative VANS receipt), a FHIR Acknowledgement (XML or JSON), or – not a
 * receipt – an incoming MedCom message. Hostile or broken input ends in a PermanentError with a
 * RECEIPT_* code (too large, encoding, DTD, malformed, namespace, unknown), never in a crash.
 * Refusal texts are shortened and CPR-masked before they leave this module.
 */
export type ReceiptType = 'XCTL03' | 'XCTL02' | 'XCTL01' | 'fhir-ack';
export type InboundFormat = 'oioxml' | FhirFormat;

export interface ReceiptLetter {
  letterId: string;
  refuseCode?: string;
  refuseText?: string;
}

export interface ParsedReceipt {
  kind: 'receipt';
  receiptType: ReceiptType;
  format: InboundFormat;
  outcome: 'positive' | 'negative' | 'transient';
  /** The receipt's own envelope id or Bundle.id. */
  receiptId: string;
  /** OIOXML: the envelope the receipt answers. */
  originalEnvelopeId?: string;
  /** Who sent the receipt: OIOXML Sender/EANIdentifier, FHIR MessageHeader.sender's GLN ('' if absent). */
  senderEan: string;
  /** OIOXML: OriginalEmessage/OriginalReceiver/EANIdentifier – for XCTL01, which VANS may send on the receiver's behalf. */
  originalReceiverEan?: string;
  /** Letters answered (OIOXML OriginalLetter, FHIR response.identifier = MessageHeader.id). */
  letters: ReceiptLetter[];
  /** Envelope-level refusal (OIOXML) or the acknowledgement's error details (FHIR). */
  refuseCode?: string;
  refuseText?: string;
  /** FHIR acknowledgement code. */
  ackCode?: AckCode;
}

export interface ParsedMessage {
  kind: 'message';
  format: InboundFormat;
  /** XDIS91 etc. for OIOXML, the FHIR message event otherwise. */
  messageType: string;
  envelopeId: string;
  letterIds: string[];
}

export type ParsedInbound = ParsedReceipt | ParsedMessage;

const OIOXML_NS = /^http:\/\/rep\.oio\.dk\/(sundcom\.dk\/)?medcom\.dk\/xml\/schemas\/\d{4}\/\d{2}\/\d{2}\/$/;
/** MedCom's control receipts (XCTL01/02/03) exist only in the 2005/08/07 schema set; another date is not a receipt. */
export const RECEIPT_NS = 'http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/';
const RECEIPTS: Record<string, { type: ReceiptType; outcome: ParsedReceipt['outcome'] }> = {
  PositiveReceipt: { type: 'XCTL03', outcome: 'positive' },
  NegativeReceipt: { type: 'XCTL02', outcome: 'negative' },
  NegativeVansReceipt: { type: 'XCTL01', outcome: 'negative' },
};
const REFUSE_TEXT_MAX = 300;

export function parseInbound(bytes: Buffer): ParsedInbound {
  if (bytes.length > MAX_INBOUND_BYTES)
    throw refuse('RECEIPT_TOO_LARGE', `file is ${bytes.length} bytes; at most ${MAX_INBOUND_BYTES} are read`);
  const text = decodeXmlBytes(bytes);
  const start = text.replace(/^\s+/, '')[0];
  if (start === '{') return fromFhir(parseJson(text), 'fhir-json');
  if (start !== '<') throw refuse('RECEIPT_MALFORMED', 'neither XML nor JSON');
  const root = parseXmlText(text);
  if (root.name === VANS_ENVELOPE_ROOT && root.ns === '') return fromEnvelope(root);
  if (root.ns === FHIR_NS) return fromFhir(fromFhirXml(root), 'fhir-xml');
  if (root.name === 'Emessage' && OIOXML_NS.test(root.ns)) return fromOioxml(root);
  throw refuse('RECEIPT_NAMESPACE', `root element ${root.name} in namespace "${root.ns.slice(0, 100)}" is neither MedCom OIOXML nor FHIR`);
}

/**
 * A FHIR message in a MedCom VANSEnvelope: the acknowledgement (or message) inside is read as if it
 * had arrived bare – with every check of a bare one – and an envelope inside an envelope is refused.
 */
function fromEnvelope(root: XmlElement): ParsedInbound {
  const inner = unwrapVansEnvelope(root);
  if (inner.data.length > MAX_INBOUND_BYTES)
    throw refuse('RECEIPT_TOO_LARGE', `the enveloped message is ${inner.data.length} bytes; at most ${MAX_INBOUND_BYTES} are read`);
  const text = decodeXmlBytes(inner.data);
  const parsed = inner.format === 'fhir-json' ? fromFhir(parseJson(text), 'fhir-json') : fromXmlRoot(parseXmlText(text));
  if (parsed.format === 'oioxml') throw refuse('RECEIPT_MALFORMED', 'a VANSEnvelope with an MCM:MIME FHIR tag holds OIOXML');
  return parsed;
}

function fromXmlRoot(root: XmlElement): ParsedInbound {
  if (root.ns === FHIR_NS) return fromFhir(fromFhirXml(root), 'fhir-xml');
  throw refuse('RECEIPT_NAMESPACE', `the enveloped root element ${root.name} is not FHIR`);
}

function parseJson(text: string): FhirNode {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw refuse('RECEIPT_MALFORMED', `not valid JSON: ${(err as Error).message.replace(/"[^"]*"/g, '"…"').slice(0, 120)}`);
  }
  return fromFhirJson(json);
}

// ---- OIOXML ----

function fromOioxml(root: XmlElement): ParsedInbound {
  const envelope = child(root, 'Envelope');
  const envelopeId = idOf(textOf(child(envelope, 'Identifier')));
  if (!envelopeId) throw refuse('RECEIPT_MALFORMED', 'OIOXML message without Envelope/Identifier');
  const letters = childElements(root).filter((e) => e.name !== 'Envelope' && e.name !== 'Local_Elements');
  if (!letters.length) throw refuse('RECEIPT_MALFORMED', 'OIOXML envelope without a letter');
  const receipt = RECEIPTS[letters[0].name];
  if (!receipt) {
    return {
      kind: 'message',
      format: 'oioxml',
      messageType: idOf(textOf(child(child(letters[0], 'Letter'), 'StatisticalCode')) || letters[0].name),
      envelopeId,
      letterIds: letters.map((l) => idOf(textOf(child(child(l, 'Letter'), 'Identifier')))).filter(Boolean),
    };
  }
  if (root.ns !== RECEIPT_NS)
    throw refuse('RECEIPT_NAMESPACE', `${letters[0].name} in namespace "${root.ns.slice(0, 100)}": MedCom receipts use ${RECEIPT_NS}`);
  if (letters.length > 1) throw refuse('RECEIPT_MALFORMED', 'more than one receipt in one envelope');
  const original = child(letters[0], 'OriginalEmessage');
  const originalEnvelopeId = idOf(textOf(child(original, 'OriginalEnvelopeIdentifier')));
  if (!originalEnvelopeId) throw refuse('RECEIPT_MALFORMED', `${receipt.type} receipt without OriginalEmessage/OriginalEnvelopeIdentifier`);
  const answered = childElements(original!, 'OriginalLetter').map((l): ReceiptLetter => {
    const letterId = idOf(textOf(child(l, 'OriginalLetterIdentifier')));
    if (!letterId) throw refuse('RECEIPT_MALFORMED', `${receipt.type} receipt with an OriginalLetter but no OriginalLetterIdentifier`);
    return withRefusal<ReceiptLetter>({ letterId }, textOf(child(l, 'RefuseCode')), textOf(child(l, 'RefuseText')));
  });
  const originalReceiverEan = eanOf(textOf(child(child(original, 'OriginalReceiver'), 'EANIdentifier')));
  return withRefusal<ParsedReceipt>(
    {
      kind: 'receipt',
      receiptType: receipt.type,
      format: 'oioxml',
      outcome: receipt.outcome,
      receiptId: envelopeId,
      originalEnvelopeId,
      senderEan: eanOf(textOf(child(child(letters[0], 'Sender'), 'EANIdentifier'))),
      ...(originalReceiverEan ? { originalReceiverEan } : {}),
      letters: answered,
    },
    textOf(child(original, 'RefuseCode')),
    textOf(child(original, 'RefuseText')),
  );
}

function withRefusal<T extends { refuseCode?: string; refuseText?: string }>(target: T, code: string, text: string): T {
  if (code) target.refuseCode = idOf(code).slice(0, 40);
  if (text) target.refuseText = cleanRefuseText(text);
  return target;
}

/**
 * Identifiers from outside end up in Redis keys, audit records and dead-letter reasons: only id
 * characters are kept (ours and MedCom's are letters, digits, '-', '.'), at most 64. Not CPR-masked:
 * a UUID may contain ten digits that look like a CPR number, and masking would break the match.
 */
export function idOf(raw: string): string {
  return raw.replace(/[^A-Za-z0-9._:-]/g, '').slice(0, 64);
}

/** An EAN/GLN as written (13 digits), or '' – anything else cannot match a receiver. */
function eanOf(raw: string): string {
  const t = raw.trim();
  return /^\d{13}$/.test(t) ? t : '';
}

/** Refusal texts come from other systems and may quote anything: one line, CPR-masked, shortened. */
export function cleanRefuseText(text: string): string {
  const one = maskCpr(text.replace(/\s+/g, ' ').trim());
  return one.length > REFUSE_TEXT_MAX ? `${one.slice(0, REFUSE_TEXT_MAX - 3)}...` : one;
}

// ---- FHIR ----

function fromFhir(bundle: FhirNode, format: InboundFormat): ParsedInbound {
  if (resourceType(bundle) !== 'Bundle')
    throw refuse('RECEIPT_UNKNOWN', `FHIR ${resourceType(bundle) || 'resource'} is not a message Bundle`);
  if (str(bundle, 'type') !== 'message') throw refuse('RECEIPT_UNKNOWN', 'FHIR Bundle is not of type message');
  const bundleId = idOf(str(bundle, 'id'));
  // FHIR requires the MessageHeader first, but senders get it wrong; what identifies the message is
  // the one MessageHeader in the Bundle, wherever it stands.
  const headers = entryResources(bundle).filter((r) => resourceType(r) === 'MessageHeader');
  if (headers.length !== 1)
    throw refuse('RECEIPT_MALFORMED', `FHIR message with ${headers.length} MessageHeader entries (exactly one expected)`);
  const header = headers[0];
  const event = idOf(str(header, 'eventCoding.code'));
  if (!bundleId || !event) throw refuse('RECEIPT_MALFORMED', 'FHIR message without Bundle.id or MessageHeader.eventCoding');
  if (event !== EVENT.acknowledgement) {
    return { kind: 'message', format, messageType: event, envelopeId: bundleId, letterIds: [idOf(str(header, 'id'))].filter(Boolean) };
  }
  const acknowledged = idOf(str(header, 'response.identifier'));
  const code = str(header, 'response.code') as AckCode;
  if (!acknowledged) throw refuse('RECEIPT_MALFORMED', 'acknowledgement without MessageHeader.response.identifier');
  if (!ACK_CODES.includes(code))
    throw refuse('RECEIPT_MALFORMED', 'acknowledgement with a response.code other than ok, transient-error, fatal-error');
  const receipt: ParsedReceipt = {
    kind: 'receipt',
    receiptType: 'fhir-ack',
    format,
    outcome: code === 'ok' ? 'positive' : code === 'fatal-error' ? 'negative' : 'transient',
    receiptId: bundleId,
    senderEan: glnOf(resolveReference(bundle, str(header, 'sender.reference'))),
    letters: [{ letterId: acknowledged }],
    ackCode: code,
  };
  if (code !== 'ok') {
    const outcome =
      resolveReference(bundle, str(header, 'response.details.reference')) ??
      entryResources(bundle).find((r) => resourceType(r) === 'OperationOutcome');
    const issue = nodes(outcome, 'issue')[0];
    withRefusal(
      receipt,
      str(issue, 'details.coding.code') || str(issue, 'code') || code,
      [str(issue, 'details.text'), ...values(issue, 'diagnostics')].filter(Boolean).join(' '),
    );
  }
  return receipt;
}

/** The GLN identifier of an Organization (MedCom's https://www.gs1.org/gln system), or ''. */
function glnOf(org: FhirNode | undefined): string {
  const gln = nodes(org, 'identifier').find((i) => str(i, 'system') === IDENTIFIER_SYSTEM.gln);
  return eanOf(str(gln, 'value'));
}
