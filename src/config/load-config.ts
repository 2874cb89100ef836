import { z } from 'zod';
import { envSchema, AppConfig } from './config.schema';
import { sensitiveRegistry } from './sensitive';

/** Thrown at boot; its message is the one line an operator needs. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'config');
    const shown = isSensitive(name) ? '' : ` (got ${JSON.stringify(input[name] ?? null)})`;
    throw new ConfigError(`Invalid configuration: ${name}: ${issue.message}${shown}`);
  }
  const c = parsed.data;
  if (c.NEXUS_BASE_URL && !(c.NEXUS_TOKEN_URL && c.NEXUS_CLIENT_ID && c.NEXUS_CLIENT_SECRET)) {
    throw new ConfigError(
      'Invalid configuration: NEXUS_TOKEN_URL, NEXUS_CLIENT_ID and NEXUS_CLIENT_SECRET are required when NEXUS_BASE_URL is set',
    );
  }
  if (c.EDOC_URL && !(c.EDOC_USER && c.EDOC_PASSWORD)) {
    throw new ConfigError('Invalid configuration: EDOC_USER and EDOC_PASSWORD are required when EDOC_URL is set');
  }
  if (c.REDIS_SENTINELS && c.REDIS_URL) {
    throw new ConfigError('Invalid configuration: REDIS_URL and REDIS_SENTINELS: set one (REDIS_SENTINELS finds the primary itself)');
  }
  if (Boolean(c.REDIS_SENTINELS) !== Boolean(c.REDIS_SENTINEL_NAME)) {
    throw new ConfigError('Invalid configuration: REDIS_SENTINELS and REDIS_SENTINEL_NAME are set together or not at all');
  }
  if (c.REDIS_SENTINEL_PASSWORD && !c.REDIS_SENTINELS) {
    throw new ConfigError('Invalid configuration: REDIS_SENTINEL_PASSWORD: only used with REDIS_SENTINELS');
  }
  if (c.NODE_ENV === 'production' && c.TSM_NOW) {
    throw new ConfigError('Invalid configuration: TSM_NOW: not allowed in production (the service runs on the real clock)');
  }
  if (c.NODE_ENV === 'production' && !c.ADMIN_PASSWORD) {
    throw new ConfigError('Invalid configuration: ADMIN_PASSWORD: required in production (at least 8 characters)');
  }
  if (c.NODE_ENV === 'production' && !c.INTAKE_API_KEY) {
    throw new ConfigError('Invalid configuration: INTAKE_API_KEY: required in production (at least 16 characters)');
  }
  if (c.NODE_ENV === 'production' && !c.CHILDREN_ACCEPT_LINK_SECRET) {
    throw new ConfigError(
      'Invalid configuration: CHILDREN_ACCEPT_LINK_SECRET: required in production (at least 32 characters; signs the accept links in unit mail)',
    );
  }
  if (c.NODE_ENV === 'production' && !c.PUBLIC_BASE_URL) {
    throw new ConfigError(
      'Invalid configuration: PUBLIC_BASE_URL: required in production (the https:// address the accept links in mail point to)',
    );
  }
  if (c.MAIL_SMTP_URL && !c.MAIL_FROM) {
    throw new ConfigError('Invalid configuration: MAIL_FROM is required when MAIL_SMTP_URL is set');
  }
  if (Boolean(c.MAIL_SMTP_USER) !== Boolean(c.MAIL_SMTP_PASSWORD)) {
    throw new ConfigError('Invalid configuration: MAIL_SMTP_USER and MAIL_SMTP_PASSWORD are set together or not at all');
  }
  if (c.NODE_ENV === 'production' && c.MAIL_SMTP_INSECURE) {
    throw new ConfigError(
      'Invalid configuration: MAIL_SMTP_INSECURE: refused in production (mail carries meeting details; use STARTTLS or smtps://)',
    );
  }
  return {
    ...c,
    sandbox: { nexus: !c.NEXUS_BASE_URL, edoc: !c.EDOC_URL, medcom: !c.MEDCOM_OUT_DIR },
  };
}

export function isSensitive(envName: string): boolean {
  const field = (envSchema.shape as Record<string, z.ZodType>)[envName];
  if (!field) return false;
  // Wrappers (optional/default) hide the registered inner schema, so unwrap while looking.
  let s: z.ZodType | undefined = field;
  while (s) {
    if (sensitiveRegistry.has(s)) return true;
    const def: { innerType?: z.ZodType } | undefined = (s as unknown as { def?: { innerType?: z.ZodType } }).def;
    s = def?.innerType;
  }
  return false;
}

/** The values of every secret that is set: the logger masks them wherever they appear. */
export function secretValues(config: AppConfig): string[] {
  return Object.keys(envSchema.shape)
    .filter(isSensitive)
    .map((k) => (config as unknown as Record<string, unknown>)[k])
    .filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

/** The config as it may be shown to an operator: secrets replaced. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, isSensitive(k) && v !== undefined ? '[sensitive]' : v]));
}
