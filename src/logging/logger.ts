import pino, { Logger, DestinationStream } from 'pino';
import { maskCpr, maskSecrets } from './redact';

export interface LoggerOptions {
  level?: string;
  secrets?: readonly string[];
  /** Where lines go; stdout by default. Tests pass a capture stream. */
  destination?: DestinationStream;
}

/** Field paths that may carry personal data or secrets; they are removed before a line is written. */
export const REDACTED_PATHS = [
  'cpr',
  '*.cpr',
  'name',
  '*.name',
  'firstName',
  '*.firstName',
  'lastName',
  '*.lastName',
  'fullName',
  '*.fullName',
  'text',
  '*.text',
  'items',
  '*.items',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'access_token',
  'client_secret',
];

/**
 * One JSON line per event. Every serialised line passes through CPR and secret masking, so even a
 * careless message or error text cannot leak a CPR number.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = opts.secrets ?? [];
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: 'tsm-bridge' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: (line) => maskSecrets(maskCpr(line), secrets) },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

let root: Logger | undefined;

/** The process-wide logger; configured once at boot, a quiet default before that. */
export function rootLogger(): Logger {
  root ??= createLogger({ level: process.env.LOG_LEVEL ?? 'info' });
  return root;
}

export function setRootLogger(logger: Logger): void {
  root = logger;
}
