import { maskCpr } from '../../src/logging/redact';
import { entryResources, FhirNode, fromFhirJson, fromFhirXml, nodes, resolveReference, resourceType, str, values } from './fhir/fhir-model';
import { ACK_CODES, AckCode, EVENT, FHIR_NS } from './fhir/medcom-fhir.constants';
import { child, childElements, decodeXmlBytes, MAX_INBOUND_BYTES, parseXmlText, refuse, textOf, XmlElement } from './xml/safe-xml';

/**
 * Reads one file from the VANS in-folder: an OIOXML control receipt (XCTL03 positive, XCTL02
 * negative, XCTL01 negative VANS receipt), a FHIR Acknowledgement (XML or JSON), or – not a
 * receipt – an incoming MedCom message. Hostile or broken input ends in a PermanentError with a
 * RECEIPT_* code (too large, encoding, DTD, malformed, namespace, unknown), never in a crash.
 * Refusal texts are shortened and CPR-masked before they leave this module.
 */
export type ReceiptType = 'XCTL03' | 'XCTL02' | 'XCTL01' | 'fhir-ack';
export type InboundFormat = 'oioxml' | 'fhir-xml' | 'fhir-json';

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
const RECEIPTS: Record<string, { type: ReceiptType; outcome: ParsedReceipt['outcome'] }> = {
  PositiveReceipt: { type: 'XCTL03', outcome: 'positive' },
  NegativeReceipt: { type: 'XCTL02', outcome: 'negative' },
  NegativeVansReceipt: { type: 'XCTL01', outcome: 'negative' },
};
const REFUSE_TEXT_MAX = 300;

export function parseInbound(bytes: Buffer): ParsedInbound {
  if (bytes.length > MAX_INBOUND_BYTES) throw refuse('RECEIPT_TOO_LARGE', `file is ${bytes.length} bytes; at most ${MAX_INBOUND_BYTES} are read`);
  const text = decodeXmlBytes(bytes);
  const start = text.replace(/^\s+/, '')[0];
  if (start === '{') return fromFhir(parseJson(text), 'fhir-json');
  if (start !== '<') throw refuse('RECEIPT_MALFORMED', 'neither XML nor JSON');
  const root = parseXmlText(text);
  if (root.ns === FHIR_NS) return fromFhir(fromFhirXml(root), 'fhir-xml');
  if (root.name === 'Emessage' && OIOXML_NS.test(root.ns)) return fromOioxml(root);
  throw refuse('RECEIPT_NAMESPACE', `root element ${root.name} in namespace "${root.ns.slice(0, 100)}" is neither MedCom OIOXML nor FHIR`);
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
  if (letters.length > 1) throw refuse('RECEIPT_MALFORMED', 'more than one receipt in one envelope');
  const original = child(letters[0], 'OriginalEmessage');
  const originalEnvelopeId = idOf(textOf(child(original, 'OriginalEnvelopeIdentifier')));
  if (!originalEnvelopeId) throw refuse('RECEIPT_MALFORMED', `${receipt.type} receipt without OriginalEmessage/OriginalEnvelopeIdentifier`);
  const answered = childElements(original!, 'OriginalLetter').map((l): ReceiptLetter => {
    const letterId = idOf(textOf(child(l, 'OriginalLetterIdentifier')));
    if (!letterId) throw refuse('RECEIPT_MALFORMED', `${receipt.type} receipt with an OriginalLetter but no OriginalLetterIdentifier`);
    return withRefusal<ReceiptLetter>({ letterId }, textOf(child(l, 'RefuseCode')), textOf(child(l, 'RefuseText')));
  });
  return withRefusal<ParsedReceipt>(
    {
      kind: 'receipt',
      receiptType: receipt.type,
      format: 'oioxml',
      outcome: receipt.outcome,
      receiptId: envelopeId,
      originalEnvelopeId,
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

/** Refusal texts come from other systems and may quote anything: one line, CPR-masked, shortened. */
export function cleanRefuseText(text: string): string {
  const one = maskCpr(text.replace(/\s+/g, ' ').trim());
  return one.length > REFUSE_TEXT_MAX ? `${one.slice(0, REFUSE_TEXT_MAX - 3)}...` : one;
}

// ---- FHIR ----

function fromFhir(bundle: FhirNode, format: InboundFormat): ParsedInbound {
  if (resourceType(bundle) !== 'Bundle') throw refuse('RECEIPT_UNKNOWN', `FHIR ${resourceType(bundle) || 'resource'} is not a message Bundle`);
  if (str(bundle, 'type') !== 'message') throw refuse('RECEIPT_UNKNOWN', 'FHIR Bundle is not of type message');
  const bundleId = idOf(str(bundle, 'id'));
  const header = entryResources(bundle)[0];
  if (resourceType(header) !== 'MessageHeader') throw refuse('RECEIPT_MALFORMED', 'FHIR message without a MessageHeader as first entry');
  const event = idOf(str(header, 'eventCoding.code'));
  if (!bundleId || !event) throw refuse('RECEIPT_MALFORMED', 'FHIR message without Bundle.id or MessageHeader.eventCoding');
  if (event !== EVENT.acknowledgement) {
    return { kind: 'message', format, messageType: event, envelopeId: bundleId, letterIds: [idOf(str(header, 'id'))].filter(Boolean) };
  }
  const acknowledged = idOf(str(header, 'response.identifier'));
  const code = str(header, 'response.code') as AckCode;
  if (!acknowledged) throw refuse('RECEIPT_MALFORMED', 'acknowledgement without MessageHeader.response.identifier');
  if (!ACK_CODES.includes(code)) throw refuse('RECEIPT_MALFORMED', 'acknowledgement with a response.code other than ok, transient-error, fatal-error');
  const receipt: ParsedReceipt = {
    kind: 'receipt',
    receiptType: 'fhir-ack',
    format,
    outcome: code === 'ok' ? 'positive' : code === 'fatal-error' ? 'negative' : 'transient',
    receiptId: bundleId,
    letters: [{ letterId: acknowledged }],
    ackCode: code,
  };
  if (code !== 'ok') {
    const outcome = resolveReference(bundle, str(header, 'response.details.reference')) ?? entryResources(bundle).find((r) => resourceType(r) === 'OperationOutcome');
    const issue = nodes(outcome, 'issue')[0];
    withRefusal(receipt, str(issue, 'details.coding.code') || str(issue, 'code') || code, [str(issue, 'details.text'), ...values(issue, 'diagnostics')].filter(Boolean).join(' '));
  }
  return receipt;
}
