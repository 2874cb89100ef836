import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { gpDirectoryFileSchema } from '../../schemas/gp-directory.schema';
import { AppConfig, envSchema } from '../../src/config/config.schema';

/**
 * Letters that reach a real VANS must carry the municipality's own address and author: the config's
 * defaults are the sandbox's placeholders (EAN 5790000123456 – which is not even a valid GLN –, SOR
 * 123456789012345, kommune 751, "Solhøj Kommune", the placeholder author). A GP system would file
 * such a letter under a sender that does not exist, or refuse it.
 *
 * The guard holds when letters can leave for a real VANS – MEDCOM_OUT_DIR is set, or NODE_ENV is
 * production. Outside production MEDCOM_VANS_SANDBOX may say explicitly that the folders are answered
 * by tsm-bridge's own VANS simulator (the `sandbox` command, test harnesses; startSandboxes sets it for
 * the simulator it starts). In production nothing lifts it: a production deployment, even one pointed
 * at the simulator, carries the municipality's own sender. It never guesses from folder names.
 */
export const SENDER_AND_AUTHOR_KEYS = [
  'MEDCOM_SENDER_EAN',
  'MEDCOM_SENDER_SOR',
  'MEDCOM_SENDER_ID',
  'MEDCOM_SENDER_NAME',
  'MEDCOM_AUTHOR_GIVEN_NAME',
  'MEDCOM_AUTHOR_FAMILY_NAME',
  'MEDCOM_AUTHOR_ROLE',
  'MEDCOM_AUTHOR_PHONE',
] as const;

type GuardedKey = (typeof SENDER_AND_AUTHOR_KEYS)[number];

/** The sandbox value of each guarded variable: the config schema's default, read from the schema itself. */
export function sandboxDefault(key: GuardedKey): string {
  return String((envSchema.shape[key] as z.ZodType).parse(undefined));
}

/** GS1 check digit of an EAN-13/GLN: weights 3,1,3,… from the right over the first 12 digits. */
export function gs1CheckDigitValid(code: string): boolean {
  if (!/^\d{13}$/.test(code)) return false;
  const digits = [...code].map(Number);
  const sum = digits
    .slice(0, 12)
    .reverse()
    .reduce((acc, d, i) => acc + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === digits[12];
}

type GuardConfig = Pick<AppConfig, GuardedKey | 'MEDCOM_OUT_DIR' | 'NODE_ENV' | 'MEDCOM_VANS_SANDBOX'> &
  Partial<Pick<AppConfig, 'GP_DIRECTORY_FILE'>>;

/** Why letters may not be sent with this config (one line naming the variable), or null. */
export function medcomBootProblem(config: GuardConfig): string | null {
  if (config.MEDCOM_VANS_SANDBOX && config.NODE_ENV !== 'production') return null;
  const why = config.MEDCOM_OUT_DIR
    ? 'MEDCOM_OUT_DIR is set (a real VANS)'
    : config.NODE_ENV === 'production'
      ? 'NODE_ENV is production'
      : null;
  if (!why) return null;
  const fix = "set the municipality's own value, or MEDCOM_VANS_SANDBOX=true when only tsm-bridge's VANS simulator reads the folders";
  for (const key of SENDER_AND_AUTHOR_KEYS) {
    if (config[key] === sandboxDefault(key))
      return `Invalid configuration: ${key}: the sandbox value "${config[key]}" while ${why}; ${fix}`;
  }
  if (!gs1CheckDigitValid(config.MEDCOM_SENDER_EAN)) {
    return `Invalid configuration: MEDCOM_SENDER_EAN: ${config.MEDCOM_SENDER_EAN} fails the GS1 check digit (not a valid EAN/GLN) while ${why}`;
  }
  const practice = config.GP_DIRECTORY_FILE ? practiceWithInvalidEan(config.GP_DIRECTORY_FILE) : undefined;
  if (practice) {
    return `Invalid configuration: GP_DIRECTORY_FILE: practice ${practice.ydernummer} has EAN ${practice.ean}, which fails the GS1 check digit (a VANS cannot route to it) while ${why}`;
  }
  return null;
}

/**
 * The first practice in the GP directory file whose EAN/GLN fails its check digit. A file that cannot
 * be read or parsed is left to the directory adapter, which refuses it with its own message.
 */
function practiceWithInvalidEan(file: string): { ydernummer: string; ean: string } | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const parsed = gpDirectoryFileSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  return parsed.data.practices.find((p) => !gs1CheckDigitValid(p.ean));
}
