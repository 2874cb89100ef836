import type { FhirFormat } from '../../../src/domain/gp-message-formats';
import { XMLBuilder } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { fhirJsonToXml, FhirResource } from '../fhir/fhir-xml.writer';
import { uuidFrom } from '../letter-ids';
import { CODE_SYSTEM, EVENT, fullUrl, IDENTIFIER_SYSTEM, PROFILE, sorEndpoint, XHTML_NS, AckCode } from '../fhir/medcom-fhir.constants';
import { toLatin1Text } from '../text/latin1';
import { fhirDateTime, localStamp } from '../text/medcom-time';

/**
 * The answers a VANS partner sends back, as the VANS sandbox writes them: OIOXML control receipts
 * (XCTL03 positive, XCTL02 negative, XCTL01 negative VANS receipt; namespace 2005/08/07, ISO-8859-1)
 * and FHIR Acknowledgements (ok / transient-error / fatal-error with an OperationOutcome).
 */
export const RECEIPT_NAMESPACE = 'http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/';

export type OioReceiptType = 'XCTL03' | 'XCTL02' | 'XCTL01';

const RECEIPT_SHAPE: Record<OioReceiptType, { element: string; versionCode: string }> = {
  XCTL03: { element: 'PositiveReceipt', versionCode: 'XC0330Q' },
  XCTL02: { element: 'NegativeReceipt', versionCode: 'XC0230Q' },
  XCTL01: { element: 'NegativeVansReceipt', versionCode: 'XC0130Q' },
};

export interface OioReceiptInput {
  type: OioReceiptType;
  envelopeId: string;
  letterId: string;
  sentAt: Date;
  /** The receipt's sender: the original receiver (or VANS). */
  senderEan: string;
  /** The receipt's receiver: the original sender. */
  receiverEan: string;
  originalEnvelopeId: string;
  letters: Array<{ letterId: string; versionCode: string }>;
  refuseCode?: string;
  refuseText?: string;
}

type Node = Record<string, unknown>;
const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, suppressEmptyNode: true, format: true, indentBy: '  ' });
const leaf = (name: string, value: string): Node => ({ [name]: [{ '#text': value }] });
const el = (name: string, children: Node[]): Node => ({ [name]: children });
const party = (name: string, ean: string): Node => el(name, [leaf('EANIdentifier', ean)]);

export function buildOioReceipt(r: OioReceiptInput): Buffer {
  const shape = RECEIPT_SHAPE[r.type];
  const negative = r.type !== 'XCTL03';
  const sent = localStamp(r.sentAt);
  const refusal = (): Node[] =>
    negative && r.refuseCode
      ? [leaf('RefuseCode', r.refuseCode), ...(r.refuseText ? [leaf('RefuseText', toLatin1Text(r.refuseText).text)] : [])]
      : [];
  const doc: Node[] = [
    { '?xml': [{ '#text': '' }], ':@': { '@_version': '1.0', '@_encoding': 'ISO-8859-1' } },
    {
      Emessage: [
        el('Envelope', [
          el('Sent', [leaf('Date', sent.date), leaf('Time', sent.time)]),
          leaf('Identifier', r.envelopeId),
          leaf('AcknowledgementCode', 'minuspositivkvitt'),
        ]),
        el(shape.element, [
          el('Letter', [leaf('Identifier', r.letterId), leaf('VersionCode', shape.versionCode), leaf('StatisticalCode', r.type)]),
          party('Sender', r.senderEan),
          party('Receiver', r.receiverEan),
          el('OriginalEmessage', [
            leaf('OriginalEnvelopeIdentifier', r.originalEnvelopeId),
            party('OriginalSender', r.receiverEan),
            party('OriginalReceiver', r.senderEan),
            ...r.letters.map((l) =>
              el('OriginalLetter', [
                leaf('OriginalLetterIdentifier', l.letterId),
                leaf('OriginalVersionCode', l.versionCode),
                ...refusal(),
              ]),
            ),
            // A refusal with no letter to attach it to belongs to the envelope.
            ...(r.letters.length ? [] : refusal()),
          ]),
        ]),
      ],
      ':@': { '@_xmlns': RECEIPT_NAMESPACE },
    },
  ];
  return iconv.encode(builder.build(doc) as string, 'latin1');
}

export interface FhirAckInput {
  bundleId: string;
  headerId: string;
  sentAt: Date;
  /** MessageHeader.id of the acknowledged message. */
  acknowledgedHeaderId: string;
  code: AckCode;
  /** The acknowledging party (original receiver) and the original sender. */
  from: { ean: string; sor: string; name: string };
  to: { ean: string; sor: string; name: string };
  issueText?: string;
  format: FhirFormat;
}

export function buildFhirAcknowledgement(a: FhirAckInput): Buffer {
  const id = (part: string) => uuidFrom(`${a.bundleId}|${part}`);
  const fromOrg = id('from');
  const toOrg = id('to');
  const outcomeId = id('outcome');
  const when = fhirDateTime(a.sentAt);
  const text = (t: string) => ({
    status: 'generated',
    div: `<div xmlns="${XHTML_NS}"><p>${t.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p></div>`,
  });
  const org = (oid: string, p: FhirAckInput['from']): FhirResource => ({
    resourceType: 'Organization',
    id: oid,
    meta: { profile: [PROFILE.organization] },
    text: text(p.name),
    identifier: [
      { system: IDENTIFIER_SYSTEM.gln, value: p.ean },
      { system: IDENTIFIER_SYSTEM.sor, value: p.sor },
    ],
    name: p.name,
  });
  const resources: FhirResource[] = [
    {
      resourceType: 'MessageHeader',
      id: a.headerId,
      meta: { profile: [PROFILE.acknowledgementHeader] },
      text: text(`Acknowledgement ${a.code}`),
      eventCoding: { system: CODE_SYSTEM.events, code: EVENT.acknowledgement },
      destination: [{ endpoint: sorEndpoint(a.to.sor), receiver: { reference: `Organization/${toOrg}` } }],
      sender: { reference: `Organization/${fromOrg}` },
      source: { endpoint: sorEndpoint(a.from.sor) },
      response: {
        identifier: a.acknowledgedHeaderId,
        code: a.code,
        ...(a.code === 'ok' ? {} : { details: { reference: `OperationOutcome/${outcomeId}` } }),
      },
    },
    {
      resourceType: 'Provenance',
      id: id('provenance'),
      meta: { profile: [PROFILE.messagingProvenance] },
      text: text('Acknowledgement sent'),
      target: [{ reference: `MessageHeader/${a.headerId}` }],
      occurredDateTime: when,
      recorded: when,
      activity: { coding: [{ system: CODE_SYSTEM.activity, code: 'acknowledgement' }] },
      agent: [{ who: { reference: `Organization/${fromOrg}` } }],
    },
    org(fromOrg, a.from),
    org(toOrg, a.to),
    ...(a.code === 'ok'
      ? []
      : [
          {
            resourceType: 'OperationOutcome',
            id: outcomeId,
            meta: { profile: [PROFILE.acknowledgementOutcome] },
            text: text(a.issueText ?? a.code),
            issue: [
              { severity: 'error', code: a.code === 'fatal-error' ? 'structure' : 'transient', details: { text: a.issueText ?? a.code } },
            ],
          } as FhirResource,
        ]),
  ];
  const bundle: FhirResource = {
    resourceType: 'Bundle',
    id: a.bundleId,
    meta: { profile: [PROFILE.acknowledgementMessage] },
    type: 'message',
    timestamp: when,
    entry: resources.map((r) => ({ fullUrl: fullUrl('acknowledgement', r.resourceType, String(r.id)), resource: r })),
  };
  return Buffer.from(a.format === 'fhir-json' ? `${JSON.stringify(bundle, null, 2)}\n` : fhirJsonToXml(bundle), 'utf8');
}
