import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { gpDirectoryFromSeed } from '../../adapters/directory/file-gp-directory';
import { seededRandom } from '../../adapters/shared/seeded-random';
import { QueueGateway } from '../../queues/queue.gateway';
import type { AppConfig } from '../../src/config/config.schema';
import { loadDistricts } from '../../src/config/districts';
import { loadConfig } from '../../src/config/load-config';
import { demoConclusion } from '../../src/demo/demo-meeting';
import { seedOrganisationResolver } from '../../src/demo/demo-reconcile';
import { SandboxControl } from '../../src/demo/sandbox-control';
import { EmbeddedRedis, startEmbeddedRedis } from '../../src/infra/embedded-redis';
import { RunningSandboxes, startSandboxes } from '../../src/infra/sandboxes';
import { RunningService, startService } from '../../src/main';
import { afterMeetingSettings } from '../../src/workflows/after-meeting/after-meeting.settings';
import { STEP_QUEUE, stepJobId } from '../../src/workflows/after-meeting/after-meeting.flow';
import { MeetingStatusService } from '../../src/workflows/after-meeting/after-meeting.status';
import { AfterMeetingStore } from '../../src/workflows/after-meeting/after-meeting.store';
import { meetingStartInstant } from '../../src/domain/meeting-calendar';
import { ServiceProcess } from '../support/service-process';
import { ChaosFigures, ChaosObservations, ConcludedNote, reconcileChaos } from './chaos-reconcile';
import { buildChaosSeed, chaosNotes } from './chaos-seed';
import { readVansArchive } from './vans-archive';

/**
 * The chaos run: the controller (this process) owns Redis and the three simulators; the worker is a
 * separate process it SIGKILLs at random moments and starts again, while Redis is restarted once and
 * every simulator injects faults. At the end the sandboxes' own state is reconciled against what
 * each concluded note asked for (chaos-reconcile.ts).
 */
export interface ChaosOptions {
  /** Replays the run: kill moments, Redis restart moment and every simulator's fault draws. */
  seed: number;
  notes: number;
  /** How many districts of the shipped districts file the notes are dealt over (≥ 1). */
  districts: number;
  kills: number;
  redisRestarts: number;
  /** Notes are concluded (locked) in this many batches while the chaos goes on. */
  batches: number;
  /** A worker is killed this long (uniformly drawn) after it became ready. */
  killAfterMs: [number, number];
  faults: {
    nexusErrorRate: number;
    nexusTimeoutRate: number;
    edocCommitTimeoutRate: number;
    vansDropRate: number;
    vansDuplicateRate: number;
  };
  /** Give up waiting for every note to settle after this long. */
  timeoutMs: number;
  /** Tuning passed to the workers (timeouts, watch and receipt clocks). */
  workerEnv?: Record<string, string>;
  /** Keep the temporary directory (logs, archives, Redis AOF) for a post-mortem. */
  keepDir?: boolean;
  /** The Nexus simulator's public-client variant (SANDBOX_NEXUS_DIALECT): kmd (default), odense, nyborg. */
  nexusDialect?: string;
  progress?: (line: string) => void;
}

export interface ChaosResult {
  options: Omit<ChaosOptions, 'progress'>;
  figures: ChaosFigures;
  elapsedSeconds: number;
  /** Set when the run kept its directory. */
  dir?: string;
}

export const MEETING_DATE = '2026-12-03';
/** The chaos run lives on its meeting's afternoon, whatever the calendar says. */
export const CHAOS_NOW = '2026-12-03T13:00:00+01:00';

/** Worker clocks for a run in minutes instead of hours: short timeouts, quick watch and receipt handling. */
export const FAST_WORKER_ENV: Record<string, string> = {
  QUEUE_LOCK_MS: '3000',
  SHUTDOWN_GRACE_MS: '1000',
  WATCH_INTERVAL_MS: '1000',
  WATCH_LOOKBACK_HOURS: '24',
  NEXUS_TIMEOUT_MS: '500',
  // The watch reads every citizen on the lists each pass (thousands of GETs at 1,000 notes): at 15 % faults
  // a read needs more repeats than the production default of 2 for a whole pass to get through.
  NEXUS_READ_RETRIES: '5',
  NEXUS_READ_RETRY_DELAY_MS: '50',
  NEXUS_BREAKER_RESET_MS: '1000',
  EDOC_TIMEOUT_MS: '1000',
  EDOC_BREAKER_RESET_MS: '1000',
  // Production waits 30 min for a receipt; a minute still makes every dropped receipt cost a resend.
  MEDCOM_RECEIPT_TIMEOUT_MS: '60000',
  MEDCOM_INBOX_POLL_MS: '250',
  // A receipt claimed by a worker that was killed is read again after this (production: 2 minutes).
  MEDCOM_INBOX_RECLAIM_MS: '5000',
  MEDCOM_RECEIPT_WATCHDOG_MS: '5000',
};

export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const progress = opts.progress ?? (() => undefined);
  // Separate streams for the kill schedule and the conclude pacing, so one does not shift the other's draws.
  const killRandom = seededRandom(opts.seed);
  const paceRandom = seededRandom(opts.seed ^ 0x9e3779b9);
  const draw = (random: () => number, [lo, hi]: [number, number]) => lo + Math.floor(random() * (hi - lo + 1));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsm-chaos-'));
  let redis: EmbeddedRedis | undefined;
  let sandboxes: RunningSandboxes | undefined;
  let monitor: RunningService | undefined;
  let worker: ServiceProcess | undefined;
  try {
    redis = await startEmbeddedRedis({ dataDir: path.join(dir, 'redis') });
    const districts = loadDistricts(loadConfig({}));
    if (districts.length < opts.districts)
      throw new Error(`the districts file has ${districts.length} districts, ${opts.districts} asked for`);
    const used = districts.slice(0, opts.districts);
    const seed = buildChaosSeed({ notes: opts.notes, districts: used, meetingDate: MEETING_DATE });
    const seedFile = path.join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify(seed));
    // Workers talk to the simulators as to real systems, so they get the GP directory as a file, as in production.
    const gpDirectoryFile = path.join(dir, 'gp-directory.json');
    writeFileSync(gpDirectoryFile, JSON.stringify(gpDirectoryFromSeed(seed)));

    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'chaos',
      // The meeting day after the meeting began: no cut-off or morning collect falls inside the run.
      TSM_NOW: CHAOS_NOW,
      DATA_DIR: path.join(dir, 'data'),
      ADMIN_PASSWORD: 'chaos-admin-password',
      SANDBOX_SEED: seedFile,
      GP_DIRECTORY_FILE: gpDirectoryFile,
      SANDBOX_RANDOM_SEED: String(opts.seed),
      SANDBOX_NEXUS_ERROR_RATE: String(opts.faults.nexusErrorRate),
      SANDBOX_NEXUS_TIMEOUT_RATE: String(opts.faults.nexusTimeoutRate),
      SANDBOX_EDOC_COMMIT_TIMEOUT_RATE: String(opts.faults.edocCommitTimeoutRate),
      SANDBOX_VANS_DROP_RATE: String(opts.faults.vansDropRate),
      SANDBOX_VANS_DUPLICATE_RATE: String(opts.faults.vansDuplicateRate),
      SANDBOX_VANS_DELAY_MS: '100',
      ...(opts.nexusDialect ? { SANDBOX_NEXUS_DIALECT: opts.nexusDialect } : {}),
      ...FAST_WORKER_ENV,
      ...opts.workerEnv,
    });
    sandboxes = await startSandboxes(config);
    const env = workerEnv(sandboxes.config);
    const control = SandboxControl.fromConfig(sandboxes.config);
    // The controller's own view of the queues and the meeting status: an api-role context that runs no jobs.
    monitor = await startService({
      role: 'api',
      config: sandboxes.config,
      sandboxes: false,
      listen: false,
      logDestination: pino.destination({ dest: path.join(dir, 'controller.log'), sync: false }),
    });
    const status = monitor.app.get(MeetingStatusService);
    const gateway = monitor.app.get(QueueGateway);
    const settings = afterMeetingSettings(sandboxes.config, districts);

    // Each worker's last output (warnings and errors only) goes to the run's directory for a post-mortem.
    const keepLog = (w: ServiceProcess) => appendFileSync(path.join(dir, 'workers.log'), `--- worker pid ${w.pid}\n${w.output()}\n`);
    const startWorker = () => ServiceProcess.start({ role: 'worker', env, readyTimeoutMs: 60_000 });
    worker = await startWorker();
    progress(`seed ${opts.seed}: ${opts.notes} notes over ${used.map((d) => d.id).join(', ')}; worker pid ${worker.pid} ready`);

    // Conclude ("hold the meeting for") the notes batch by batch while the worker is being killed.
    const notes = chaosNotes(seed);
    // The agenda's hand-over (the chaos run publishes no agenda): each district's meeting notes go on the
    // watch list, which the targeted watch reads from the meeting's start (the run lives after it).
    const watchList = monitor.app.get(AfterMeetingStore);
    for (const d of used) {
      const startsAt = meetingStartInstant(d, MEETING_DATE).getTime();
      await watchList.watchMeeting(
        { districtId: d.id, meetingDate: MEETING_DATE, startsAt, endsAt: startsAt + settings.followUpMs },
        notes.filter((n) => n.districtId === d.id).map((n) => ({ noteId: n.noteId, citizenId: n.citizenId, source: 'agenda' as const })),
      );
    }
    const concluded: ConcludedNote[] = [];
    const batchSize = Math.ceil(notes.length / opts.batches);
    const concludeAll = (async () => {
      for (let i = 0; i < notes.length; i += batchSize) {
        for (const [k, n] of notes.slice(i, i + batchSize).entries()) {
          await control.concludeNote(n.noteId, demoConclusion(i + k, settings.labels));
          concluded.push({ noteId: n.noteId, citizenCpr: n.cpr, districtId: n.districtId, meetingDate: MEETING_DATE });
        }
        progress(`concluded ${concluded.length}/${notes.length} notes`);
        await sleep(draw(paceRandom, opts.killAfterMs));
      }
    })();

    // Kill at a random moment after each start; in the intervals chosen for it, restart Redis under the running worker.
    let kills = 0;
    let redisRestarts = 0;
    const redisIntervals = new Set(
      Array.from({ length: opts.redisRestarts }, (_, i) => Math.floor(((i + 1) * opts.kills) / (opts.redisRestarts + 1))),
    );
    while (kills < opts.kills) {
      const wait = draw(killRandom, opts.killAfterMs);
      if (redisIntervals.has(kills)) {
        const before = Math.floor(wait * killRandom());
        await sleep(before);
        await redis.restart();
        redisRestarts++;
        progress(`Redis restarted under worker pid ${worker.pid}`);
        await sleep(wait - before);
      } else {
        await sleep(wait);
      }
      await worker.kill();
      keepLog(worker);
      kills++;
      progress(`kill ${kills}/${opts.kills}: worker pid ${worker.pid} SIGKILLed`);
      worker = await startWorker();
    }
    await concludeAll;
    const districtIds = used.map((d) => d.id);

    // Let the last worker finish: every note settled (done or failed) and none of its steps still queued or running.
    const deadline = started + opts.timeoutMs;
    let settled = false;
    let last = '';
    while (Date.now() < deadline) {
      const s = await settling(status, gateway, districtIds).catch(() => undefined);
      const line = s ? JSON.stringify(s) : '';
      if (s && line !== last)
        progress(
          `settling: ${s.done} done, ${s.failed} failed, ${s.pending} pending, ${s.stepsOpen} steps open; ${s.total}/${concluded.length} notes seen`,
        );
      last = line;
      if (s && s.total === concluded.length && s.pending === 0 && s.stepsOpen === 0) {
        settled = true;
        break;
      }
      await sleep(2000);
    }
    if (!settled) progress(`not settled within ${opts.timeoutMs} ms: reconciling what there is`);
    await worker.stop();
    keepLog(worker);
    worker = undefined;

    const observations = await observe(control, sandboxes.config, status, gateway, districtIds, concluded, {
      kills,
      redisRestarts,
      requiredKills: opts.kills,
      requiredRedisRestarts: opts.redisRestarts,
    });
    const figures = reconcileChaos(observations, { ...settings, resolveOrganisation: seedOrganisationResolver(seed) });
    if (!settled) figures.violations.unshift(`not every note settled within ${Math.round(opts.timeoutMs / 1000)} s`);
    const { progress: _omit, ...options } = opts;
    return { options, figures, elapsedSeconds: (Date.now() - started) / 1000, ...(opts.keepDir ? { dir } : {}) };
  } finally {
    await worker?.kill().catch(() => undefined);
    await monitor?.stop().catch(() => undefined);
    await sandboxes?.stop().catch(() => undefined);
    await redis?.stop().catch(() => undefined);
    if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

/** What a worker process needs to reach the controller's Redis and simulators (it starts none itself). */
function workerEnv(c: AppConfig): Record<string, string> {
  const keys: Array<keyof AppConfig> = [
    'NODE_ENV',
    'LOG_LEVEL',
    'REDIS_URL',
    'QUEUE_PREFIX',
    'DATA_DIR',
    'GP_DIRECTORY_FILE',
    'ADMIN_PASSWORD',
    'NEXUS_BASE_URL',
    'NEXUS_TOKEN_URL',
    'NEXUS_CLIENT_ID',
    'NEXUS_CLIENT_SECRET',
    'NEXUS_TIMEOUT_MS',
    'NEXUS_BREAKER_RESET_MS',
    'NEXUS_READ_RETRIES',
    'NEXUS_READ_RETRY_DELAY_MS',
    'NEXUS_CONCURRENCY',
    'EDOC_URL',
    'EDOC_AUTH',
    'EDOC_USER',
    'EDOC_PASSWORD',
    'EDOC_TIMEOUT_MS',
    'EDOC_BREAKER_RESET_MS',
    'MEDCOM_OUT_DIR',
    'MEDCOM_IN_DIR',
    'MEDCOM_VANS_SANDBOX',
    'MEDCOM_RECEIPT_TIMEOUT_MS',
    'MEDCOM_INBOX_POLL_MS',
    'MEDCOM_INBOX_RECLAIM_MS',
    'MEDCOM_RECEIPT_WATCHDOG_MS',
    'QUEUE_LOCK_MS',
    'SHUTDOWN_GRACE_MS',
    'WATCH_INTERVAL_MS',
    'WATCH_LOOKBACK_HOURS',
    'TSM_NOW',
  ];
  const env: Record<string, string> = {};
  for (const k of keys) if (c[k] !== undefined) env[k] = String(c[k]);
  return env;
}

/** Totals over the run's meetings, and how many steps of failed notes are still waiting or running. */
async function settling(status: MeetingStatusService, gateway: QueueGateway, districtIds: string[]) {
  const t = { total: 0, done: 0, pending: 0, failed: 0, stepsOpen: 0 };
  for (const id of districtIds) {
    const meeting = await status.meeting(id, MEETING_DATE);
    t.total += meeting.notes.total;
    t.done += meeting.notes.done;
    t.pending += meeting.notes.pending;
    t.failed += meeting.notes.failed;
    for (const item of meeting.items.filter((i) => i.state === 'failed')) {
      for (const step of ['edoc', 'medcom', 'tasks'] as const) {
        const state = await gateway.jobState(STEP_QUEUE[step], stepJobId(item, step));
        if (state !== 'completed' && state !== 'failed' && state !== 'unknown') t.stepsOpen++;
      }
    }
  }
  return t;
}

async function observe(
  control: SandboxControl,
  config: AppConfig,
  status: MeetingStatusService,
  gateway: QueueGateway,
  districtIds: string[],
  concluded: ConcludedNote[],
  chaos: ChaosObservations['chaos'],
): Promise<ChaosObservations> {
  const [nexus, edoc, vans, dead] = await Promise.all([
    control.nexusState(),
    control.edocState(),
    vansStats(config),
    gateway.deadLetters(100_000),
  ]);
  const archive = await readVansArchive(path.join(path.dirname(config.MEDCOM_OUT_DIR!), 'vans-sandbox', 'received'));
  const byNote: ChaosObservations['status'] = {};
  for (const id of districtIds) {
    for (const item of (await status.meeting(id, MEETING_DATE)).items) byNote[item.noteId] = { state: item.state, reason: item.reason };
  }
  return {
    concluded,
    nexus,
    edoc: { titles: edoc.titles, duplicates: edoc.duplicates },
    vans: { ...archive, ...vans },
    status: byNote,
    // Every other fault the run injects is transient, so any other dead letter is a failure of tsm-bridge.
    plannedDeadLetterCodes: [],
    medcomSendsPerLetter: 1 + config.MEDCOM_MAX_RESENDS,
    deadLetters: dead.map((d) => ({
      id: d.id,
      name: d.name,
      reason: d.reason,
      ...(typeof d.payload.noteId === 'number' ? { noteId: d.payload.noteId } : {}),
    })),
    chaos,
  };
}

async function vansStats(config: AppConfig): Promise<{ receiptsDropped: number; receiptsDuplicated: number; positiveReceipts: number }> {
  const res = await fetch(`http://${config.SANDBOX_HOST}:${config.SANDBOX_VANS_PORT}/_sandbox/stats`);
  if (!res.ok) throw new Error(`VANS sandbox stats: HTTP ${res.status}`);
  const s = (await res.json()) as { receiptsDropped: number; receiptsDuplicated: number; positiveReceipts: number };
  return { receiptsDropped: s.receiptsDropped, receiptsDuplicated: s.receiptsDuplicated, positiveReceipts: s.positiveReceipts };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
