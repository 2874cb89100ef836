import path from 'node:path';
import type { AppConfig } from '../../src/config/config.schema';
import { readOrCreateSecret } from '../../src/infra/generated-secret';
import type { LetterIdIdentity } from './letter-identity';
import { parsePickupHours, PickupWindow } from './pickup-hours';
import type { LetterAuthor, MedcomSender } from './outgoing-letter';

/** The MedCom adapter's view of the config: addressing, limits and the reliable-messaging clock. */
export interface MedcomSettings {
  sender: MedcomSender;
  author: LetterAuthor;
  /** Sender EAN + id secret that letter ids are derived from (read on first use: the secret may be a file). */
  letterIds(): LetterIdIdentity;
  maxResends: number;
  /** Receipt timeout for a receiver; VANS-converted receivers get the longer one. */
  receiptTimeoutMs(converted: boolean): number;
  /** MEDCOM_VANS_PICKUP_HOURS: the receipt clock runs only inside it (unset: always). */
  pickupWindow?: PickupWindow;
  /** MEDCOM_FHIR_ENVELOPE: every FHIR letter goes in a VANSEnvelope (a practice may also ask for it alone). */
  fhirEnvelope: boolean;
  inboxPollMs: number;
  /** How often letters overdue for a receipt are checked for a missing timeout job. */
  receiptWatchdogMs: number;
  /** A claimed in-folder file older than this belongs to a crashed worker and is taken again. */
  inboxReclaimMs: number;
  xdis91BlockChars: number;
  outDir: string;
  inDir: string;
  redisPrefix: string;
}

export function medcomSettings(config: AppConfig): MedcomSettings {
  const dirs = medcomDirs(config);
  return {
    sender: {
      ean: config.MEDCOM_SENDER_EAN,
      sor: config.MEDCOM_SENDER_SOR,
      kommunenummer: config.MEDCOM_SENDER_ID,
      name: config.MEDCOM_SENDER_NAME,
    },
    author: {
      givenName: config.MEDCOM_AUTHOR_GIVEN_NAME,
      familyName: config.MEDCOM_AUTHOR_FAMILY_NAME,
      role: config.MEDCOM_AUTHOR_ROLE,
      phone: config.MEDCOM_AUTHOR_PHONE,
    },
    letterIds: once(() => ({ senderEan: config.MEDCOM_SENDER_EAN, secret: medcomIdSecret(config) })),
    maxResends: config.MEDCOM_MAX_RESENDS,
    receiptTimeoutMs: (converted) =>
      config.MEDCOM_RECEIPT_TIMEOUT_MS ??
      (converted ? config.MEDCOM_CONVERTED_RECEIPT_TIMEOUT_MIN : config.MEDCOM_RECEIPT_TIMEOUT_MIN) * 60_000,
    pickupWindow: parsePickupHours(config.MEDCOM_VANS_PICKUP_HOURS),
    fhirEnvelope: config.MEDCOM_FHIR_ENVELOPE,
    inboxPollMs: config.MEDCOM_INBOX_POLL_MS,
    receiptWatchdogMs: config.MEDCOM_RECEIPT_WATCHDOG_MS,
    inboxReclaimMs: config.MEDCOM_INBOX_RECLAIM_MS,
    xdis91BlockChars: config.MEDCOM_XDIS91_BLOCK_CHARS,
    ...dirs,
    redisPrefix: config.QUEUE_PREFIX,
  };
}

/** MEDCOM_OUT_DIR / MEDCOM_IN_DIR, or DATA_DIR/medcom/{out,in} (where the sandbox watches). */
export function medcomDirs(config: Pick<AppConfig, 'MEDCOM_OUT_DIR' | 'MEDCOM_IN_DIR' | 'DATA_DIR'>): { outDir: string; inDir: string } {
  return {
    outDir: path.resolve(config.MEDCOM_OUT_DIR ?? path.join(config.DATA_DIR, 'medcom', 'out')),
    inDir: path.resolve(config.MEDCOM_IN_DIR ?? path.join(config.DATA_DIR, 'medcom', 'in')),
  };
}

export const GENERATED_ID_SECRET_FILE = 'medcom-id-secret';

/**
 * MEDCOM_ID_SECRET, or one generated once into DATA_DIR/medcom-id-secret (0600) and shared by every
 * process on that data directory. Changing it changes the ids of letters not yet begun; letters
 * already begun keep theirs (the id is stored in the ledger before anything is sent).
 */
export function medcomIdSecret(config: Pick<AppConfig, 'MEDCOM_ID_SECRET' | 'DATA_DIR'>): string {
  return (
    config.MEDCOM_ID_SECRET ??
    readOrCreateSecret(path.resolve(config.DATA_DIR, GENERATED_ID_SECRET_FILE), { bytes: 32, minLength: 32, what: 'MedCom id secret' })
  );
}

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
