import { createHash } from 'node:crypto';

/**
 * Identifiers are derived, not drawn at random: the same letter always gets the same letter id
 * (XDIS91 Letter/Identifier, FHIR MessageHeader.id), and each attempt its own envelope id
 * (Envelope/Identifier, Bundle.id). A crash and retry can therefore never mint a second letter id,
 * and repeating an attempt repeats its envelope id too.
 *
 * The letter id is an HMAC of the sender's EAN/GLN and the letter's idempotency key under a
 * per-installation secret. The sender is part of it because MedCom receivers drop a message whose
 * Bundle.id + MessageHeader.id they have seen before: two municipalities writing about the same note
 * id must never collide. The secret makes the ids unguessable from the note id, so a forged receipt
 * cannot name a real letter (or its envelopes) without having seen it.
 */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A prefix letter plus 13 base32 characters (65 bits): fits OIOXML's 14-character identifiers. */
export function shortId(prefix: string, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let bits = 0;
  let value = 0;
  let out = prefix;
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 14) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= 14) break;
  }
  return out;
}

/** A UUID shaped as version 4 (MedCom requires uuid-v4-shaped identifiers) from a hash of the seed. */
export function uuidFrom(seed: string): string {
  const b = createHash('sha256').update(seed).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
