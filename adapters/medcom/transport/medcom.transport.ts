/**
 * How messages reach VANS and receipts come back. The default is the file drop VANS clients use;
 * another transport (e.g. a VANS web service) implements the same three operations.
 */
export const MEDCOM_TRANSPORT = Symbol('MedcomTransport');

export interface OutboundMessage {
  envelopeId: string;
  bytes: Buffer;
  extension: 'xml' | 'json';
  /** The attempt's send time (part of the file name, so repeating an attempt repeats its name). */
  sentAt: Date;
}

export interface InboundItem {
  /** Transport-specific handle (the file name for the file drop). */
  id: string;
  bytes: Buffer;
  /** Set when the transport already knows the item cannot be read (a code and a reason without personal data). */
  refused?: { code: string; message: string };
}

/** processed: a receipt applied (or a duplicate); failed: unreadable; unmatched: valid but not ours. */
export type InboundDisposition = 'processed' | 'failed' | 'unmatched';

export interface MedcomTransport {
  /** Hands one message over; the same envelope id and time always use the same name. */
  send(message: OutboundMessage): Promise<{ name: string }>;
  /** Takes up to `limit` incoming items for this caller alone (another worker will not get them). */
  claimIncoming(limit: number): Promise<InboundItem[]>;
  /** Files the item away for good; never deletes it. */
  settle(item: InboundItem, disposition: InboundDisposition, reason?: string): Promise<void>;
  /**
   * Whether a message handed over (by the name send() returned) still waits for the VANS client: the
   * receipt clock starts only once it has left. A transport that cannot tell leaves this out (then
   * the clock starts at the hand-over).
   */
  awaitingPickup?(name: string): Promise<boolean>;
}
