import { z } from 'zod';
import { DEFAULT_OMITTED_LABELS } from '../domain/gp-letter.content';
import { parseSentinels } from './redis-sentinels';
import { sensitive } from './sensitive';
import { trustProxyProblem } from './trust-proxy';

/**
 * One config, read from environment variables only. Each key is the variable's name so an error
 * can name exactly what to fix. Sections with no base URL run against the built-in sandbox.
 */
const int = (min: number, def: number) => z.coerce.number().int().min(min).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => ['true', '1', 'yes'].includes(v));
const optionalUrl = z.url().optional();
/** An optional setting written as JSON in one environment variable; a value that is not JSON (or not the shape) is refused by name. */
const optionalJson = <T extends z.ZodType>(shape: T) =>
  z
    .string()
    .optional()
    .transform((raw, ctx): z.output<T> | undefined => {
      if (raw === undefined || raw.trim() === '') return undefined;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
      const parsed = shape.safeParse(value);
      if (!parsed.success) {
        ctx.addIssue({
          code: 'custom',
          message: `${parsed.error.issues[0]?.path.join('.') || 'value'}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        });
        return z.NEVER;
      }
      return parsed.data as z.output<T>;
    });
/** The nurses' organisation under each name Nexus installations use; the seed's first (issue 17). */
export const DEFAULT_NURSES_ORGANISATIONS = ['Sygeplejersker/sundhedslovgivning', 'Sygeplejersker'];
/** A list of names: a JSON list or comma-separated, none empty. */
const nameList = (defaults: readonly string[], what: string) =>
  z
    .string()
    .default(defaults.join(','))
    .transform((raw, ctx) => {
      let list: unknown = raw.split(',').map((n) => n.trim());
      if (raw.trim().startsWith('[')) {
        try {
          list = JSON.parse(raw);
        } catch {
          list = null;
        }
      }
      if (Array.isArray(list) && list.length > 0 && list.every((n) => typeof n === 'string' && n.trim() !== ''))
        return (list as string[]).map((n) => n.trim());
      ctx.addIssue({ code: 'custom', message: `${what}, comma-separated or a JSON list, none empty` });
      return z.NEVER;
    });

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  HOST: z.string().default('127.0.0.1'),
  PORT: int(0, 3000),
  DATA_DIR: z.string().default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: int(0, 10000),
  /** Worker threads for CPU-heavy work (PDF rendering, parsing in-folder files), so it never blocks the event loop. */
  CPU_THREADS: int(1, 2),
  /** Longest one PDF may take to render; past it the work is stopped and the job dead-lettered with RENDER_TIMEOUT. */
  PDF_RENDER_TIMEOUT_MS: int(1, 30000),
  /** Outside production only: the service's clock starts at this instant (ISO 8601 with an offset) and runs forward. */
  TSM_NOW: z.iso.datetime({ offset: true }).optional(),

  REDIS_URL: sensitive(
    z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
      .optional(),
  ),
  /** Sentinels that know the current Redis primary, "host:port,host:port"; replaces REDIS_URL (failover without a proxy). */
  REDIS_SENTINELS: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined) return undefined;
      try {
        return parseSentinels(s);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** The master name the sentinels monitor (their `sentinel monitor <name> …`). */
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash or underscore')
    .optional(),
  /** The sentinels' own password (`requirepass` in sentinel.conf), when they have one. */
  REDIS_SENTINEL_PASSWORD: sensitive(z.string().optional()),
  /** Password of the Redis data nodes behind the sentinels (compose: also builds REDIS_URL); a password in REDIS_URL wins. */
  REDIS_PASSWORD: sensitive(z.string().optional()),
  QUEUE_LOCK_MS: int(1000, 30000),
  /** How often a worker checks that the service's own job schedulers exist and re-creates missing ones. */
  SCHEDULER_CHECK_MS: int(1000, 60000),
  /** Deleted personal data (letter bodies) is rewritten out of the AOF on disk within this bound
   *  (a check this often, at most one BGREWRITEAOF per period); 0 turns the scrub off. */
  PERSONAL_DATA_SCRUB_MS: int(0, 900000),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes')
    .default('tsm'),

  ADMIN_USER: z.string().min(1).default('admin'),
  ADMIN_PASSWORD: sensitive(z.string().min(8, 'at least 8 characters').optional()),
  INTAKE_API_KEY: sensitive(z.string().min(16, 'at least 16 characters').optional()),
  /** Refused sign-ins (401) per client address within the window before that address is refused (429) until the window ends; 0 = off. */
  AUTH_FAILURE_LIMIT: int(0, 20),
  AUTH_FAILURE_WINDOW_MIN: int(1, 15),
  /** express "trust proxy": unset = the peer address is the client; behind a reverse proxy its hop count (1) or addresses/CIDRs; never `true`. */
  TRUST_PROXY: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      const problem = v === undefined ? undefined : trustProxyProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),

  SANDBOX_SEED: z.string().optional(),
  /** Seeds the simulators' fault PRNGs so chaos runs are reproducible. */
  SANDBOX_RANDOM_SEED: int(0, 42),
  /** Where the simulators listen: loopback locally; 0.0.0.0 in the docker-compose sandbox service. */
  SANDBOX_HOST: z.string().default('127.0.0.1'),
  /** Fixed simulator ports (docker-compose); unset or 0 = a free port. */
  SANDBOX_NEXUS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Nexus simulator fault knobs (also settable at runtime: POST /_sandbox/faults). Rates are 0..1. */
  SANDBOX_NEXUS_LATENCY_MS: int(0, 0),
  SANDBOX_NEXUS_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
  SANDBOX_NEXUS_CONFLICT_RATE: z.coerce.number().min(0).max(1).default(0),
  SANDBOX_NEXUS_TIMEOUT_RATE: z.coerce.number().min(0).max(1).default(0),
  /** Base URL of a running Nexus simulator (set by startSandboxes; tests and demo reach /_sandbox/* through it). */
  SANDBOX_NEXUS_URL: optionalUrl,
  /** Which public client's view of Nexus the simulator answers in (docs/nexus.md "Dialects"). */
  SANDBOX_NEXUS_DIALECT: z.enum(['kmd', 'odense', 'nyborg']).default('kmd'),
  DISTRICTS_FILE: z.string().optional(),

  NEXUS_BASE_URL: optionalUrl,
  NEXUS_TOKEN_URL: optionalUrl,
  NEXUS_CLIENT_ID: z.string().optional(),
  NEXUS_CLIENT_SECRET: sensitive(z.string().optional()),
  NEXUS_CONCURRENCY: int(1, 4),
  NEXUS_TIMEOUT_MS: int(100, 20000),
  /** Timeout of a citizen list's `content` call, which is slow on real instances (Nyborg allows 180 s). */
  NEXUS_LIST_TIMEOUT_MS: int(100, 180000),
  NEXUS_BREAKER_RESET_MS: int(100, 10000),
  /** Reads (GET) repeated after a 5xx, timeout or network error before the call fails; writes never are. */
  NEXUS_READ_RETRIES: int(0, 2),
  NEXUS_READ_RETRY_DELAY_MS: int(0, 200),
  /** Form by id, relative to the home URL, for notes not yet reached through links (an assumption: not in public clients). */
  NEXUS_CITIZEN_LIST: z.string().default('Tværfagligt samarbejdsmøde – notater og aftaler'),
  NEXUS_CITIZEN_VIEW: z.string().default('- Alt'),
  NEXUS_FORM_TITLE: z.string().default('Samlet faglig vurdering'),
  NEXUS_TAG: z.string().default('ÆS – Tværfagligt samarbejdsmøde'),
  NEXUS_TIME_ITEM_LABEL: z.string().default('Tidspunkt'),
  NEXUS_ACTION_LOCKED: z.string().default('Låst'),
  NEXUS_ACTION_DRAFT: z.string().default('Kladde'),
  /** Workflow states/actions that mean "not locked yet" (Odense saves drafts as "Aktivt"); comma-separated. */
  NEXUS_DRAFT_STATES: z
    .string()
    .default('Kladde,Aktivt')
    .transform((raw) =>
      raw
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    ),
  NEXUS_TASK_TYPE: z.string().default('Opgave'),
  NEXUS_ORG_COORDINATOR: z.string().default('Koordinerende rolle'),
  NEXUS_ORG_HOMECARE: z.string().default('Hjemmeplejen'),
  NEXUS_ORG_VISITATOR: z.string().default('Visitator'),
  NEXUS_ORG_DEMENTIA: z.string().default('Demensspecialister'),
  /**
   * The nurses' organisation under each name it may have, in order of preference: a JSON list or
   * comma-separated names. Any one attached satisfies the dementia rule; auto-attach adds the first
   * that exists in Nexus and never a second.
   */
  NEXUS_ORG_NURSES: nameList(DEFAULT_NURSES_ORGANISATIONS, 'organisation names'),
  /**
   * Explicit "Forløbstype" values per track, JSON {"rehab": [...], "complex": [...]}; compared normalised
   * like tags and checked before the built-in rules (contains "§83a" → rehab, starts with "kompleks" → complex).
   */
  AGENDA_TRACK_VALUES: optionalJson(
    z.object({ rehab: z.array(z.string().min(1)).optional(), complex: z.array(z.string().min(1)).optional() }).strict(),
  ),
  AGENDA_AUTO_ATTACH: bool(false),
  /** A series meeting on a Danish public holiday (Kristi himmelfartsdag, skærtorsdag, …) is not planned: the next one is. */
  AGENDA_SKIP_PUBLIC_HOLIDAYS: bool(true),
  /** When the worker re-plans each district's next agenda collects (cron, Europe/Copenhagen). */
  AGENDA_PLAN_CRON: z
    .string()
    .regex(/^\S+( \S+){4}$/, 'a 5-field cron pattern')
    .default('5 0 * * *'),

  // After the meeting: the locked-note watch and the follow-ups a note asks for.
  /**
   * How often the watch reads the notes of a meeting under way (only notes on its agenda, not yet
   * locked; one GET each) from the meeting's start until each is locked or the follow-up window
   * ends; 0 turns the watch and the nightly sweep off.
   */
  WATCH_INTERVAL_MS: int(0, 300000),
  /** How long after a meeting's start the watch keeps reading its notes that are not locked yet. */
  WATCH_FOLLOW_UP_DAYS: int(1, 7),
  /** When (HH:MM, Europe/Copenhagen) the nightly sweep walks every citizen for locked notes never on an agenda. */
  WATCH_SWEEP_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
    .default('02:30'),
  /** Where the watch starts on its very first run (no cursor yet): this many hours back. */
  WATCH_LOOKBACK_HOURS: int(0, 24),
  NEXUS_ITEM_SEND_TO_GP: z.string().default('Send til egen læge'),
  NEXUS_ITEM_HOMECARE_TASK: z.string().default('Opgave til hjemmeplejen'),
  NEXUS_ITEM_ATTACH_ORGANISATIONS: z.string().default('Tilknyt organisation'),
  NEXUS_ITEM_REVISITATION: z.string().default('Revisitation'),
  /** Follow-up tasks are due this many days after the meeting. */
  FOLLOWUP_TASK_DUE_DAYS: int(0, 7),
  /** The coordinator's task listing the agenda notes still not locked: this many working days after the meeting (issue 17). */
  AFTER_MEETING_UNLOCKED_TASK_DAYS: int(1, 1),
  /** … repeated each working day while notes stay unlocked, at most this many tasks per meeting; 0 = never. */
  AFTER_MEETING_UNLOCKED_TASK_MAX: int(0, 5),
  /** Form items left out of the GP letter (labels, case-insensitive): the letter carries only the assessment. */
  GP_LETTER_EXCLUDED_ITEMS: nameList(DEFAULT_OMITTED_LABELS, 'item labels'),

  EDOC_URL: optionalUrl,
  EDOC_AUTH: z.enum(['ntlm', 'basic']).default('ntlm'),
  EDOC_USER: z.string().optional(),
  EDOC_PASSWORD: sensitive(z.string().optional()),
  EDOC_DOMAIN: z.string().optional(),
  EDOC_USER_IDENTIFIER: z.string().default('tsm-bridge'),
  EDOC_TIMEOUT_MS: int(100, 30000),
  EDOC_DOCUMENT_TYPE: z.string().default('Notat'),
  EDOC_DOCUMENT_STATUS: z.string().default('Endelig'),
  EDOC_CODE_LISTS_FILE: z.string().optional(),
  EDOC_CONCURRENCY: int(1, 2),
  EDOC_BREAKER_RESET_MS: int(100, 10000),
  /** SearchCaseFile criterion that holds the party's CPR ("prefix:Name"); not in public sources, so configurable. */
  EDOC_CPR_SEARCH_FIELD: z
    .string()
    .regex(/^(edoc|fesd):[A-Za-z][A-Za-z0-9]*$/, 'edoc:Name or fesd:Name')
    .default('edoc:PartyIdentifier'),
  /** Searches: the UserIdentifier's namespace and where it sits (inside edoc:CaseFileSearch/DocumentSearch, or first in Root); docs/edoc.md. */
  EDOC_SEARCH_USER_ID_NS: z.enum(['edoc', 'fesd']).default('edoc'),
  EDOC_SEARCH_USER_ID_POSITION: z.enum(['search', 'root']).default('search'),
  /** Case status names (CaseFileStatusCodeName) that may be filed on; comma-separated. */
  EDOC_OPEN_CASE_STATUSES: z
    .string()
    .default('Åben')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /** Sent on every document when set (some installations require them): fesd:CaseManagerReference, edoc:OrganisationReference. */
  EDOC_CASE_MANAGER_REFERENCE: z
    .string()
    .regex(/^[A-Za-z0-9_.\\-]{1,64}$/, 'an eDoc id (GetItemList CaseWorker)')
    .optional(),
  EDOC_ORGANISATION_REFERENCE: z
    .string()
    .regex(/^[A-Za-z0-9_.\\-]{1,64}$/, 'an eDoc id (GetItemList Organisation)')
    .optional(),
  /** After an upload whose answer has no Links.OpenDocument: one SearchDocument by id to keep the link in the audit. */
  EDOC_OPEN_LINK_LOOKUP: bool(true),
  /** Compare the code-list file with GetItemList at start-up (readiness fails on a mismatch). */
  EDOC_CODE_LIST_CHECK: bool(true),
  /** Readiness calls GetSystemInfo at most this often (ms). */
  EDOC_READINESS_CHECK_MS: int(1000, 30000),
  SANDBOX_EDOC_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SANDBOX_EDOC_LATENCY_MS: int(0, 0),
  SANDBOX_EDOC_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
  /** Share of uploads the eDoc sandbox stores but never answers ("commit then time out"). */
  SANDBOX_EDOC_COMMIT_TIMEOUT_RATE: z.coerce.number().min(0).max(1).default(0),

  MEDCOM_TRANSPORT: z.enum(['file']).default('file'),
  MEDCOM_OUT_DIR: z.string().optional(),
  MEDCOM_IN_DIR: z.string().optional(),
  /** MEDCOM_OUT_DIR/MEDCOM_IN_DIR are answered by tsm-bridge's own VANS simulator (the sandbox command, compose's sandbox
   *  service, test harnesses): the sandbox sender values are allowed there. Unset with a real VANS client. */
  MEDCOM_VANS_SANDBOX: bool(false),
  MEDCOM_SENDER_EAN: z
    .string()
    .regex(/^\d{13}$/, '13 digits (EAN/GLN)')
    .default('5790000123456'),
  MEDCOM_SENDER_SOR: z.string().default('123456789012345'),
  MEDCOM_SENDER_ID: z.string().default('751'),
  MEDCOM_SENDER_NAME: z.string().max(35).default('Solhøj Kommune Ældreområdet'),
  /** Key that letter and envelope ids are derived under (HMAC): unguessable ids. Unset: generated into DATA_DIR/medcom-id-secret. */
  MEDCOM_ID_SECRET: sensitive(z.string().min(32, 'at least 32 characters').optional()),
  /** MedCom's generic reliable-messaging ruleset: resend when no acknowledgement came within 15 minutes (docs/medcom.md). */
  MEDCOM_RECEIPT_TIMEOUT_MIN: int(1, 15),
  MEDCOM_CONVERTED_RECEIPT_TIMEOUT_MIN: int(1, 120),
  MEDCOM_MAX_RESENDS: int(0, 2),
  /** Hours (Europe/Copenhagen) the VANS client picks letters up, "HH-HH" (e.g. 05-23); outside them the receipt clock is paused. Unset: always. */
  MEDCOM_VANS_PICKUP_HOURS: z
    .string()
    .regex(/^([01]\d|2[0-4])-([01]\d|2[0-4])$/, 'HH-HH, e.g. 05-23')
    .refine((s) => s.slice(0, 2) !== s.slice(3), 'an empty window')
    .optional(),
  /** FHIR letters travel in a MedCom VANSEnvelope written by tsm-bridge (for every receiver; the GP directory can ask per practice). */
  MEDCOM_FHIR_ENVELOPE: bool(false),
  /** Tests, demos, chaos: receipt timeout in ms for every receiver, replacing both *_TIMEOUT_MIN values. */
  MEDCOM_RECEIPT_TIMEOUT_MS: z.coerce.number().int().min(1).optional(),
  /** How often the worker reads the VANS in-folder for receipts. */
  MEDCOM_INBOX_POLL_MS: int(50, 10000),
  /** How often letters past their receipt timeout are checked for a lost timeout job (armed again, due at once). */
  MEDCOM_RECEIPT_WATCHDOG_MS: int(1000, 300000),
  /** An in-folder file claimed this long ago by a worker that never settled it (crashed) is read again. */
  MEDCOM_INBOX_RECLAIM_MS: int(1000, 120000),
  /** In-folder files larger than this are not parsed: they go to failed/ with RECEIPT_TOO_LARGE (receipts are a few kB; at most 5 MiB is read). */
  MEDCOM_INBOX_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(5 * 1024 * 1024)
    .default(1024 * 1024),
  /** Longest parsing one in-folder file may take; past it the parse is stopped and the file goes to failed/ with RECEIPT_TIMEOUT. */
  MEDCOM_INBOX_PARSE_TIMEOUT_MS: int(1, 10000),
  /** Characters per XDIS91 Text01 block (10 blocks per letter); longer texts are refused, never cut. */
  MEDCOM_XDIS91_BLOCK_CHARS: int(100, 2000),
  /** Named author of FHIR letters (payload author + contact): the meeting's coordinating function. */
  MEDCOM_AUTHOR_GIVEN_NAME: z.string().min(1).default('Koordinator'),
  MEDCOM_AUTHOR_FAMILY_NAME: z.string().min(1).default('Tværfagligt samarbejdsmøde'),
  MEDCOM_AUTHOR_ROLE: z.string().min(1).default('Koordinerende rolle'),
  MEDCOM_AUTHOR_PHONE: z
    .string()
    .regex(/^\+?\d{8,15}$/, '8-15 digits')
    .default('70000000'),
  /** VANS sandbox: loopback port of /_sandbox/stats and /_sandbox/faults (free port when unset). */
  SANDBOX_VANS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SANDBOX_VANS_DELAY_MS: int(0, 200),
  SANDBOX_VANS_DROP_RATE: z.coerce.number().min(0).max(1).default(0),
  SANDBOX_VANS_NEGATIVE_RATE: z.coerce.number().min(0).max(1).default(0),
  SANDBOX_VANS_VANS_NEGATIVE_RATE: z.coerce.number().min(0).max(1).default(0),
  SANDBOX_VANS_DUPLICATE_RATE: z.coerce.number().min(0).max(1).default(0),
  SANDBOX_VANS_GARBAGE_RATE: z.coerce.number().min(0).max(1).default(0),
  /** The VANS sandbox refuses (fatal-error) a FHIR letter that is not in a VANSEnvelope. */
  SANDBOX_VANS_REQUIRE_ENVELOPE: bool(false),
  GP_DIRECTORY_FILE: z.string().optional(),

  NOTIFY_OUTBOX_DIR: z.string().optional(),
  /** The municipality's SMTP relay: smtp:// (STARTTLS) or smtps:// (TLS from the start); credentials go in MAIL_SMTP_USER/PASSWORD. Unset = the outbox folder. */
  MAIL_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/@\s]+(:\d+)?\/?$/, 'smtp://host[:port] or smtps://host[:port], without user or password')
    .optional(),
  MAIL_SMTP_USER: sensitive(z.string().optional()),
  MAIL_SMTP_PASSWORD: sensitive(z.string().optional()),
  /** Sender of every mail, e.g. "Tværfagligt samarbejde <tsm@kommune.dk>"; its domain also names the Message-IDs. */
  MAIL_FROM: z
    .string()
    .regex(/@[A-Za-z0-9.-]+\.[A-Za-z]{2,}>?\s*$/, 'an address, optionally with a display name: Name <box@domain.dk>')
    .optional(),
  /** smtp:// without STARTTLS (a relay on the same host or a test server); refused in production. */
  MAIL_SMTP_INSECURE: bool(false),
  /** PEM file of the CA that signed the relay's certificate (an internal municipal CA); the system CAs otherwise. */
  MAIL_SMTP_CA_FILE: z.string().optional(),
  MAIL_SMTP_TIMEOUT_MS: int(100, 30000),
  /** With MAIL_SMTP_URL: a message the relay cannot be reached for is written to the outbox folder instead of retried. */
  MAIL_OUTBOX_FALLBACK: bool(false),
  TEAMS_MEETING_URL: z.url().default('https://teams.microsoft.com/l/meetup-join/sandbox'),

  CHILDREN_FOLLOWUP_DAYS: int(1, 90),
  CHILDREN_ACCEPT_WORKING_DAYS: int(1, 10),
  /**
   * Days closed every year besides public holidays (collective agreements): by default juleaftensdag and
   * nytårsaftensdag, which most municipalities close on; "none" for no extra closed days.
   */
  CHILDREN_CLOSED_DAYS: z
    .string()
    .regex(
      /^(none|((0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))(,(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))*)$/,
      'comma-separated MM-DD, e.g. 12-24,12-31, or none',
    )
    .default('12-24,12-31')
    .transform((s) => (s === 'none' ? [] : s.split(','))),
  /** The windows hold for every place, the home included (seed); true exempts health visitors' home meetings. */
  CHILDREN_HOME_VISIT_WINDOW_EXEMPT: bool(false),
  CHILDREN_UNITS_FILE: z.string().optional(),
  /** A course not closed stays open this many months after its last meeting (one course per child and unit). */
  CHILDREN_COURSE_OPEN_MONTHS: int(1, 12),
  CHILDREN_FORM_RETENTION_DAYS: int(1, 30),
  CHILDREN_RECORD_RETENTION_DAYS: int(1, 365),
  /** HMAC key of the signed accept links in the units' mail (at least 32 characters); required in production, generated into DATA_DIR elsewhere. */
  CHILDREN_ACCEPT_LINK_SECRET: sensitive(z.string().min(32, 'at least 32 characters').optional()),
  /** The address users reach this service's API at (links in mail), e.g. https://tsm.kommune.dk; required in production. */
  PUBLIC_BASE_URL: z
    .url()
    .regex(/^https?:\/\//, 'an http:// or https:// URL')
    .optional(),
  /** Demos and tests: replace the computed acceptance-deadline / follow-up delays. */
  CHILDREN_DEADLINE_DELAY_MS: z.coerce.number().int().min(0).optional(),
  CHILDREN_FOLLOWUP_DELAY_MS: z.coerce.number().int().min(0).optional(),
});

export type AppConfig = z.infer<typeof envSchema> & { sandbox: SandboxFlags };

/** Which systems run on the built-in simulators (no base URL configured). */
export interface SandboxFlags {
  nexus: boolean;
  edoc: boolean;
  medcom: boolean;
}
