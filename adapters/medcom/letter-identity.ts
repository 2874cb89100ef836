import { createHmac } from 'node:crypto';
import type { GpMessageFormat } from '../../src/domain/gp-message-formats';
import { medcomFormat } from './formats/medcom-formats.registry';
import { shortId, uuidFrom } from './letter-ids';

/*
 * The letter and envelope ids of a letter in its format (see letter-ids.ts for why they are derived
 * and keyed): OIOXML formats take 14-character ids, FHIR formats UUIDs – the format's registry entry says which.
 */

/** Who mints the ids: the sending organisation and this installation's id secret. */
export interface LetterIdIdentity {
  /** The sender's EAN/GLN location number. */
  senderEan: string;
  /** MEDCOM_ID_SECRET, or the secret generated into DATA_DIR. */
  secret: string;
}

export function letterIdFor(identity: LetterIdIdentity, idempotencyKey: string, format: GpMessageFormat): string {
  const seed = createHmac('sha256', identity.secret).update(`letter|${identity.senderEan}|${idempotencyKey}`).digest('base64url');
  return medcomFormat(format).idStyle === 'short' ? shortId('L', seed) : uuidFrom(seed);
}

/** Attempt 0 is the first send; 1..n are resends. Unguessable because the letter id is. */
export function envelopeIdFor(letterId: string, attempt: number, format: GpMessageFormat): string {
  const seed = `envelope|${letterId}|${attempt}`;
  return medcomFormat(format).idStyle === 'short' ? shortId('E', seed) : uuidFrom(seed);
}
