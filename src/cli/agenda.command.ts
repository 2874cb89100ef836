import { unlockedTaskDate } from '../domain/after-meeting.coordinator';
import { serviceClock } from '../common/clock';
import { plannedSandboxSeed } from '../infra/sandbox-seed-plan';
import { Command } from 'commander';
import pino from 'pino';
import { NexusClient } from '../../adapters/nexus/nexus.client';
import { startConfiguredNexusSandbox } from '../../adapters/nexus/sandbox/nexus-sandbox.start';
import { loadSeed } from '../../adapters/shared/sandbox-seed';
import type { AppConfig } from '../config/config.schema';
import { District, findDistrict, loadDistricts } from '../config/districts';
import { ConfigError, loadConfig, secretValues } from '../config/load-config';
import { Agenda, AgendaDocument, toAgendaDocument } from '../domain/agenda.builder';
import { isIsoDate, isMeetingDate, nextMeetingOnOrAfter } from '../domain/meeting-calendar';
import { WorkingDayCalendar } from '../domain/working-days';
import { createLogger, setRootLogger } from '../logging/logger';
import { startService } from '../main';
import { CollectAgenda, collectSettings } from '../workflows/agenda/agenda.collect';
import { PublishAgenda, PublishSummary } from '../workflows/agenda/agenda.publish';

export interface AgendaOptions {
  date: string;
  district?: string;
  seed?: string;
  dryRun?: boolean;
  json?: boolean;
}

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), env: process.env };

/** Bad arguments: exit 2 with the reason on stderr. */
class UsageError extends Error {}

/**
 * `tsm-bridge agenda --date YYYY-MM-DD [--district ID] [--seed FILE] [--dry-run] [--json]`.
 * Builds the meeting's agenda from Nexus (with --seed, from a sandbox started here from that file)
 * and publishes it unless --dry-run. With --json stdout carries exactly one JSON document; logs
 * always go to stderr. Exit 0 success, 2 bad arguments, 1 failure.
 */
export async function runAgenda(o: AgendaOptions, io: CliIo = processIo): Promise<number> {
  try {
    const { config, district } = prepare(o, io);
    const result = o.dryRun ? { agenda: await dryRun(config, district, o.date) } : await collectAndPublish(config, district, o.date);
    const doc = { ...toAgendaDocument(district.id, result.agenda), followUp: followUpOf(config, district, result.agenda) };
    if (o.json) {
      io.stdout(JSON.stringify(doc, null, 2) + '\n');
      if ('summary' in result) io.stderr(summaryLine(result.summary) + '\n');
    } else {
      io.stdout(
        table(district, doc, result.agenda) + ('summary' in result ? summaryLine(result.summary) : 'dry run: nothing was written') + '\n',
      );
    }
    return 0;
  } catch (err) {
    const usage = err instanceof UsageError || err instanceof ConfigError;
    io.stderr(`${usage ? '' : 'error: '}${err instanceof Error ? err.message : String(err)}\n`);
    return usage ? 2 : 1;
  }
}

/** Arguments and configuration, checked before anything starts. */
function prepare(o: AgendaOptions, io: CliIo): { config: AppConfig; district: District } {
  if (!isIsoDate(o.date)) throw new UsageError(`--date must be a date YYYY-MM-DD (got ${JSON.stringify(o.date)})`);
  let config = loadConfig(io.env);
  // Logs (including the sandbox's and the client's) never go to stdout here.
  setRootLogger(
    createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config), destination: pino.destination({ dest: 2, sync: true }) }),
  );
  const districts = loadDistricts(config);
  const district = o.district === undefined ? districts[0] : findDistrict(districts, o.district);
  if (!district)
    throw new UsageError(`unknown district ${JSON.stringify(o.district)}; configured: ${districts.map((d) => d.id).join(', ')}`);
  if (o.seed !== undefined) {
    try {
      loadSeed(o.seed);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    // The seed replaces whatever Nexus is configured: a sandbox started here serves it.
    config = {
      ...config,
      SANDBOX_SEED: o.seed,
      NEXUS_BASE_URL: undefined,
      NEXUS_TOKEN_URL: undefined,
      NEXUS_CLIENT_ID: undefined,
      NEXUS_CLIENT_SECRET: undefined,
      sandbox: { ...config.sandbox, nexus: true },
    };
  }
  if (!isMeetingDate(district, o.date)) {
    io.stderr(
      `note: ${o.date} is not in ${district.id}'s meeting series (next meeting on or after it: ${nextMeetingOnOrAfter(district, o.date)}); building it anyway\n`,
    );
  }
  const holiday = new WorkingDayCalendar().publicHoliday(o.date);
  if (holiday) io.stderr(`note: ${o.date} is a public holiday (${holiday}); the scheduled agenda skips it; building it anyway\n`);
  return { config, district };
}

/** Reads only: the Nexus client (and its sandbox when no Nexus is configured); no Redis, no writes. */
async function dryRun(config: AppConfig, district: District, date: string): Promise<Agenda> {
  // The same seed the service's sandbox serves: the default one moved to the next meeting on the clock.
  const clock = serviceClock(config);
  const sandbox = config.sandbox.nexus
    ? await startConfiguredNexusSandbox(config, { seed: plannedSandboxSeed(config, clock).seed, now: () => clock.now().getTime() })
    : undefined;
  const client = NexusClient.fromConfig({ ...config, ...sandbox?.env });
  try {
    return (await new CollectAgenda(client, [district], null, null, collectSettings(config)).collect(district.id, date, { store: false }))
      .agenda;
  } finally {
    client.shutdown();
    await sandbox?.sandbox.stop();
  }
}

/** The service's own collect and publish (ledger, audit, notify, MedCom), in an api-role context without HTTP. */
async function collectAndPublish(
  config: AppConfig,
  district: District,
  date: string,
): Promise<{ agenda: Agenda; summary: PublishSummary }> {
  const svc = await startService({
    role: 'api',
    listen: false,
    config,
    sandboxes: true,
    logDestination: pino.destination({ dest: 2, sync: true }),
  });
  try {
    const { agenda } = await svc.app.get(CollectAgenda).collect(district.id, date, { store: true });
    return { agenda, summary: await svc.app.get(PublishAgenda).publish(district, agenda) };
  } finally {
    await svc.stop();
  }
}

/**
 * What publishing this agenda plans for the coordinator (issue 17): the notice of an empty agenda, or
 * the first reminder about notes still not locked after the meeting (then each working day, at most maxTasks).
 */
function followUpOf(
  config: AppConfig,
  district: District,
  agenda: Agenda,
): { emptyAgendaNotice: boolean; unlockedNotesTask: { firstOn: string; at: string; maxTasks: number } | null } {
  const s = { afterWorkingDays: config.AFTER_MEETING_UNLOCKED_TASK_DAYS, maxTasks: config.AFTER_MEETING_UNLOCKED_TASK_MAX };
  const empty = agenda.items.length === 0;
  return {
    emptyAgendaNotice: empty,
    unlockedNotesTask:
      empty || s.maxTasks < 1
        ? null
        : { firstOn: unlockedTaskDate(agenda.meetingDate, 1, s, new WorkingDayCalendar()), at: district.startTime, maxTasks: s.maxTasks },
  };
}

function summaryLine(s: PublishSummary): string {
  return (
    `published: times ${s.times.changed} written, ${s.times.unchanged} unchanged, ${s.times.cleared} removed; tasks ${s.tasks.created} created, ${s.tasks.existing} existing; ` +
    `Teams invitation ${s.teams}; GP invitations ${s.gp.sent} sent, ${s.gp.existing} existing, ${s.gp.failed} failed` +
    (s.attached ? `; ${s.attached} organisation(s) attached` : '') +
    (s.empty ? `; empty agenda: coordinator told by ${s.empty}` : '')
  );
}

/** A readable table: times, tracks, ids and warning codes (no names, no CPR). */
function table(district: District, doc: AgendaDocument, agenda: Agenda): string {
  const rows = doc.items.map((i, n) => [
    String(n + 1),
    i.start,
    agenda.items[n].end,
    i.timeSetBy,
    i.track,
    String(i.noteId),
    String(i.citizenId),
    i.warnings.join(', ') || '-',
  ]);
  const head = ['#', 'start', 'end', 'time set by', 'track', 'note', 'citizen', 'warnings'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((v, c) => v.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  const out = [
    `Tværfagligt samarbejdsmøde ${district.name} (${district.id}) ${doc.meetingDate}: ${doc.items.length} item(s)`,
    '',
    line(head),
    ...rows.map(line),
    '',
  ];
  if (doc.excluded.length)
    out.push(
      'Not on the agenda:',
      ...doc.excluded.map(
        (e) => `  note ${e.noteId}  citizen ${e.citizenId}  ${e.reason}${e.observationDate ? ` (observed ${e.observationDate})` : ''}`,
      ),
      '',
    );
  out.push(`Agenda warnings: ${doc.warnings.join(', ') || 'none'}`);
  if (doc.end) out.push(`Ends ${doc.end} (the Teams invitation's end)`);
  return out.join('\n') + '\n';
}

export function agendaCommand(): Command {
  return new Command('agenda')
    .description("build a meeting's agenda from Nexus and publish it (times, tasks, invitations)")
    .requiredOption('--date <YYYY-MM-DD>', 'meeting date (Europe/Copenhagen)')
    .option('--district <id>', 'district id from the districts file (default: the first)')
    .option('--seed <file>', 'read a Nexus sandbox started in-process from this seed file')
    .option('--dry-run', 'build and print only; write nothing anywhere')
    .option('--json', 'print exactly one JSON document on stdout')
    .action(async (o: AgendaOptions) => {
      process.exitCode = await runAgenda(o);
      // Everything is stopped by now; should a client keep a socket open, do not hang the shell.
      setTimeout(() => process.exit(), 2_000).unref();
    });
}
