import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { AgendaMeetingPayload } from '../../queues/jobs/agenda.jobs';
import { QueueGateway } from '../../queues/queue.gateway';
import { AuditService } from '../audit/audit.service';
import { SteerableClock } from '../common/clock';
import { plannedSandboxSeed } from '../infra/sandbox-seed-plan';
import type { Seed } from '../../schemas/sandbox-seed.schema';
import { District, findDistrict, loadDistricts } from '../config/districts';
import { errorCode } from '../common/errors';
import { ConfigError, loadConfig } from '../config/load-config';
import { isRedisUnavailable } from '../infra/redis-errors';
import { meetingDateOf } from '../domain/after-meeting.rules';
import { meetingStartInstant } from '../domain/meeting-calendar';
import { RunningService, startService } from '../main';
import { afterMeetingSettings } from '../workflows/after-meeting/after-meeting.settings';
import { MeetingStatusService } from '../workflows/after-meeting/after-meeting.status';
import { collectJobId, publishJobId } from '../workflows/agenda/agenda.planner';
import { AgendaStore } from '../workflows/agenda/agenda.store';
import { demoConclusion } from './demo-meeting';
import { DemoObservations, DemoSummary, reconcileDemo, seedOrganisationResolver } from './demo-reconcile';
import { SandboxControl } from './sandbox-control';

export interface DemoOptions {
  /** A sandbox seed file (the Nexus issue's format); the shipped default seed otherwise. */
  seedFile?: string;
  districtId?: string;
  /** The meeting to hold; by default the seed's meeting with the most notes for the district. */
  meetingDate?: string;
  /** Give up waiting for the after-meeting work after this long. */
  timeoutMs?: number;
  /** Log level of the service's own log lines, which go to stderr (default warn). */
  logLevel?: string;
  /** The instant the demo's clock starts at (ISO 8601 with offset); TSM_NOW from the environment, else the machine's clock. */
  now?: string;
  /** Use this Redis instead of starting a private one (tests); REDIS_URL from the environment otherwise. */
  redisUrl?: string;
  /** Progress lines for a person watching (stderr in the CLI); ids and counts only. */
  progress?: (line: string) => void;
  /** Settings added to the demo's own (tests: MAIL_SMTP_URL of a test relay); MAIL_* also come from the environment. */
  env?: NodeJS.ProcessEnv;
  /** Called with the simulators still running, before shutdown: lets a test read their state itself. */
  beforeStop?: (control: SandboxControl, service: RunningService) => Promise<void>;
}

/**
 * One whole meeting cycle on the embedded default, in accelerated time: a private Redis, the
 * simulators from the seed, a fresh data dir and queue prefix (so a rerun starts clean). The agenda
 * goes through the production collect/publish jobs, the Nexus simulator "holds the meeting", the
 * watch picks up the locked notes and the after-meeting flows run until every letter is
 * acknowledged. The verdict comes from the simulators' own state, not from our bookkeeping alone.
 */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoSummary> {
  // The timeout is real elapsed time (timers), not the demo's meeting clock (TSM_NOW).
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 45_000;
  // The run gets the timeout minus a reserve for stopping the service, so the whole demo, stop
  // included, ends within the timeout even when Redis hangs every call (no command ever answers).
  const stopReserveMs = Math.min(STOP_RESERVE_MS, Math.floor(timeoutMs / 4));
  const deadline = started + timeoutMs - stopReserveMs;
  let lastLine = '';
  const progress = (line: string) => {
    if (line !== lastLine) opts.progress?.(line);
    lastLine = line;
  };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tsm-demo-'));
  let svc: RunningService | undefined;
  let starting: Promise<RunningService> | undefined;
  const run = async (): Promise<DemoSummary> => {
    const config = loadConfig(demoEnv(dataDir, opts));
    const districts = loadDistricts(config);
    const district = opts.districtId ? findDistrict(districts, opts.districtId) : districts[0];
    if (!district) throw new Error(`unknown district ${opts.districtId}; districts: ${districts.map((d) => d.id).join(', ')}`);
    // The default seed is moved to the next meeting on the demo's clock, so the demo runs on any date.
    const clock = new SteerableClock(config.TSM_NOW ? new Date(config.TSM_NOW) : undefined);
    const { seed } = plannedSandboxSeed(config, clock);
    const meetingDate = opts.meetingDate ?? busiestMeetingDate(seed, district, districts);

    starting = startService({ role: 'all', config, clock, listen: false, logDestination: pino.destination({ dest: 2, sync: false }) });
    svc = await starting;
    const control = SandboxControl.fromConfig(svc.config);
    const gateway = svc.app.get(QueueGateway);

    progress(`agenda: collecting and publishing ${district.id} ${meetingDate}`);
    const agenda = await runAgenda(svc, gateway, { districtId: district.id, meetingDate, phase: 'manual' }, deadline);
    progress(`agenda: ${agenda.items.length} items, ${agenda.excluded.length} excluded`);

    // The meeting begins: nothing after-meeting happens before (the watch reads the agenda's notes from then on).
    clock.advanceTo(new Date(meetingStartInstant(district, meetingDate).getTime() + 1000));
    progress(`meeting begins: the demo clock moves to ${clock.now().toISOString()}`);

    const settings = afterMeetingSettings(svc.config, districts);
    const labels = settings.labels;
    const concluded: number[] = [];
    for (const [i, item] of agenda.items.entries()) {
      await control.concludeNote(item.noteId, demoConclusion(i, labels));
      concluded.push(item.noteId);
    }
    progress(`meeting held: ${concluded.length} notes concluded and locked`);

    const status = svc.app.get(MeetingStatusService);
    await until(deadline, 'the after-meeting work to finish', async () => {
      const s = await status.meeting(district.id, meetingDate);
      const dead = (await gateway.deadLetters()).length;
      progress(
        `after-meeting: ${s.notes.done}/${concluded.length} done, ${s.notes.failed} failed, ${s.letters.acknowledged}/${s.letters.sent} letters acknowledged`,
      );
      // A dead letter or failed note will not heal by itself: stop and report it.
      return dead > 0 || s.notes.failed > 0 || (s.notes.total >= concluded.length && s.notes.done === s.notes.total);
    });

    const observations = await observe(
      svc.app.get(AuditService),
      control,
      gateway,
      status,
      district,
      meetingDate,
      agenda,
      concluded,
      started,
    );
    const summary = {
      ...reconcileDemo(
        observations,
        settings.labels,
        settings.organisations(district.id),
        settings.taskDueDays,
        seedOrganisationResolver(seed),
      ),
      nexusDialect: config.SANDBOX_NEXUS_DIALECT,
    };
    await opts.beforeStop?.(control, svc);
    return summary;
  };
  try {
    return await beforeDeadline(
      run(),
      deadline - started,
      () => `timed out after ${Math.round(timeoutMs / 1000)} s (${lastLine || 'starting the service'})`,
    );
  } catch (err) {
    if (err instanceof ConfigError) throw err; // a bad setting stays a configuration error (exit 2)
    throw new Error(demoFailure(err, lastLine));
  } finally {
    // A service still starting when the deadline hit is stopped too, once it is up.
    const stopping = svc ? svc.stop() : starting?.then((s) => s.stop());
    const stopped = await beforeDeadline(
      stopping ?? Promise.resolve(),
      Math.max(started + timeoutMs - Date.now(), 1000),
      () => 'stop',
    ).then(
      () => true,
      () => false,
    );
    if (!stopped) opts.progress?.('the service did not stop in time (Redis unreachable?); leaving it to the process exit');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** At most this much of the timeout is kept for stopping the service. */
const STOP_RESERVE_MS = 5000;

/** The work's result, or a rejection with `why()` once `ms` have passed; the timer never outlives the call. */
function beforeDeadline<T>(work: Promise<T>, ms: number, why: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DemoTimeout(why())), Math.max(ms, 0));
  });
  work.catch(() => undefined); // lost after the deadline: its failure is no longer the answer
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

class DemoTimeout extends Error {}

/** One line saying why the demo failed: Redis going away gets said so, not a client's internal error name. */
export function demoFailure(err: unknown, during: string): string {
  const where = during ? ` (during: ${during})` : '';
  if (err instanceof DemoTimeout) return err.message;
  if (isRedisUnavailable(err)) return `Redis became unreachable (${errorCode(err)})${where}`;
  return `${err instanceof Error ? err.message : String(err)}${where}`;
}

/** The embedded default with the clocks turned up: watch every 200 ms, receipts within a second. */
export function demoEnv(dataDir: string, opts: DemoOptions): NodeJS.ProcessEnv {
  const redisUrl = opts.redisUrl ?? process.env.REDIS_URL;
  const now = opts.now ?? process.env.TSM_NOW;
  return {
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    QUEUE_PREFIX: `demo-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: opts.logLevel ?? 'warn',
    PORT: '0',
    // The demo's admin API lives only as long as the run; throwaway secrets keep it quiet about them.
    ADMIN_PASSWORD: randomBytes(12).toString('hex'),
    INTAKE_API_KEY: randomBytes(16).toString('hex'),
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    ...(now ? { TSM_NOW: now } : {}),
    ...(opts.seedFile ? { SANDBOX_SEED: opts.seedFile } : {}),
    WATCH_INTERVAL_MS: '200',
    WATCH_LOOKBACK_HOURS: '0',
    MEDCOM_RECEIPT_TIMEOUT_MS: '5000',
    MEDCOM_INBOX_POLL_MS: '100',
    SANDBOX_VANS_DELAY_MS: '300',
    // `SANDBOX_NEXUS_DIALECT=odense npm run demo` runs against that public client's view of Nexus.
    ...(process.env.SANDBOX_NEXUS_DIALECT ? { SANDBOX_NEXUS_DIALECT: process.env.SANDBOX_NEXUS_DIALECT } : {}),
    // `MAIL_SMTP_URL=… npm run demo` sends the meeting invitation to that relay instead of the outbox folder.
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MAIL_'))),
    ...opts.env,
  };
}

/** The meeting date with the most not-yet-locked tagged notes of the district in the seed. */
export function busiestMeetingDate(seed: Seed, district: District, districts: readonly District[]): string {
  const counts = new Map<string, number>();
  for (const c of seed.citizens) {
    const home = c.district ?? districts[0].id;
    if (home !== district.id && home !== district.name) continue;
    for (const n of c.notes) {
      if (n.formTitle !== district.nexus.formTitle || !n.tags.includes(district.nexus.tag) || n.state === 'Låst') continue;
      const d = meetingDateOf(n.observationTimestamp);
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  if (!best) throw new Error(`the seed has no meeting notes for district ${district.id}`);
  return best[0];
}

/** The production path: an 'agenda.collect' job, which enqueues 'agenda.publish'; waits for both. */
async function runAgenda(svc: RunningService, gateway: QueueGateway, p: AgendaMeetingPayload, deadline: number) {
  const collectId = collectJobId(p);
  await gateway.enqueue('agenda.collect', p, { jobId: collectId });
  await untilJobDone(gateway, 'agenda', collectId, deadline);
  const stored = await svc.app.get(AgendaStore).load(p.districtId, p.meetingDate);
  if (!stored) throw new Error('the agenda was collected but not stored');
  await untilJobDone(gateway, 'agenda', publishJobId(p, stored.fingerprint), deadline);
  return stored.agenda;
}

async function untilJobDone(gateway: QueueGateway, queue: 'agenda', jobId: string, deadline: number): Promise<void> {
  await until(deadline, `job ${queue}/${jobId}`, async () => {
    const state = await gateway.jobState(queue, jobId);
    if (state === 'failed')
      throw new Error(`job ${queue}/${jobId} failed: ${(await gateway.deadLetter(`${queue}/${jobId}`))?.reason ?? 'unknown'}`);
    return state === 'completed';
  });
}

async function until(deadline: number, what: string, check: () => Promise<boolean>, everyMs = 200): Promise<void> {
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The agenda's GP invitations are MedCom letters too; the audit trail tells which letter ids they got. */
async function invitationLetters(audit: AuditService, noteIds: number[]): Promise<string[]> {
  const ids = new Set<string>();
  for (const noteId of noteIds) {
    for (const r of await audit.query({ noteId }))
      if (r.action === 'medcom.invite' && r.externalIds?.letterId) ids.add(r.externalIds.letterId);
  }
  return [...ids];
}

async function observe(
  audit: AuditService,
  control: SandboxControl,
  gateway: QueueGateway,
  status: MeetingStatusService,
  district: District,
  meetingDate: string,
  agenda: { items: Array<{ noteId: number; inviteGp?: boolean }>; excluded: Array<{ reason: string }> },
  concluded: number[],
  started: number,
): Promise<DemoObservations> {
  const [nexus, edoc, vans, meeting, dead] = await Promise.all([
    control.nexusState(),
    control.edocState(),
    control.vansState(),
    status.meeting(district.id, meetingDate),
    gateway.deadLetters(),
  ]);
  const excluded: Record<string, number> = {};
  for (const e of agenda.excluded) excluded[e.reason] = (excluded[e.reason] ?? 0) + 1;
  return {
    districtId: district.id,
    meetingDate,
    agenda: { items: agenda.items.length, excluded, gpInvitations: agenda.items.filter((i) => i.inviteGp).length },
    invitationLetterIds: await invitationLetters(
      audit,
      agenda.items.map((i) => i.noteId),
    ),
    concluded,
    nexus,
    edoc,
    vans,
    lettersByNote: Object.fromEntries(
      meeting.items.map((i) => [i.noteId, i.letterId ? { letterId: i.letterId, state: i.letterState } : undefined]),
    ),
    notesDone: meeting.notes.done,
    deadLetters: dead.map((d) => ({ id: d.id, name: d.name, reason: d.reason })),
    elapsedSeconds: (Date.now() - started) / 1000,
  };
}
