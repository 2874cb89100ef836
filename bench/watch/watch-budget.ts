import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import pino from 'pino';
import { NexusClient } from '../../adapters/nexus/nexus.client';
import { nexusFor } from '../../adapters/nexus/nexus.port';
import { NexusSandboxControl } from '../../adapters/nexus/sandbox/nexus-sandbox.control';
import { startConfiguredNexusSandbox } from '../../adapters/nexus/sandbox/nexus-sandbox.start';
import { syntheticSeed } from '../../adapters/nexus/sandbox/synthetic-seed';
import { loadSeed } from '../../adapters/shared/sandbox-seed';
import { AuditService } from '../../src/audit/audit.service';
import { ManualClock } from '../../src/common/clock';
import { loadDistricts } from '../../src/config/districts';
import { loadConfig } from '../../src/config/load-config';
import { afterMeetingSettings } from '../../src/workflows/after-meeting/after-meeting.settings';
import { AfterMeetingStore } from '../../src/workflows/after-meeting/after-meeting.store';
import { NotesWatch } from '../../src/workflows/after-meeting/after-meeting.watch';
import { AgendaWatchList } from '../../src/workflows/after-meeting/after-meeting.watch-list';
import { CollectAgenda } from '../../src/workflows/agenda/agenda.collect';
import { meetingStartInstant } from '../../src/domain/meeting-calendar';
import { nexusCalls } from '../../src/metrics/metrics';
import { writeDistricts, writeSeed } from '../support/bench-seed';

export interface WatchBudgetCase {
  /** Citizens on the district's list: absent = the shipped seed (30 citizens, meeting 2026-12-03). */
  citizens?: number;
  /** Notes on the agenda the watch reads (synthetic seeds: the first this many; the shipped seed: its agenda). */
  agendaNotes?: number;
}

export interface WatchBudgetFigures {
  citizens: number;
  /** N: notes on the published agenda. */
  agendaNotes: number;
  /** Nexus calls in one hour of 5-minute passes with no meeting begun (the simulator's own count). */
  quietHourCalls: number;
  /** Nexus calls of the first pass after the meeting began, from a fresh client (a restarted worker: token + N GETs by stored self link). */
  firstPassCalls: number;
  /** Nexus calls of a pass when half of the notes were locked by the previous pass. */
  laterPassCalls: number;
  /** Nexus calls of one nightly sweep (the full walk of the citizen list). */
  sweepCalls: number;
  /** What tsm_nexus_calls_total counted per purpose over the same run. */
  byPurpose: Record<string, number>;
}

const MINUTE = 60_000;

/**
 * The watch's call budget against the Nexus simulator on a manual clock: the agenda collect stores
 * each note's self link (the watch list); then an hour before the meeting, a pass right after it
 * began, one later pass and one nightly sweep, each counted by the simulator's /_sandbox/stats.
 */
export async function measureWatchBudget(c: WatchBudgetCase, redisUrl: string): Promise<WatchBudgetFigures> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tsm-watch-budget-'));
  const probe = loadConfig({});
  const synthetic = c.citizens !== undefined;
  const meetingDate = synthetic ? '2026-12-17' : '2026-12-03';
  const seed = synthetic
    ? syntheticSeed({ citizens: c.citizens!, meetingDate, formTitle: probe.NEXUS_FORM_TITLE, tag: probe.NEXUS_TAG })
    : loadSeed(probe.SANDBOX_SEED);
  const base = loadConfig({
    LOG_LEVEL: 'warn',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `watch-budget-${process.pid}-${Date.now().toString(36)}`,
    SANDBOX_SEED: writeSeed(workDir, 'seed', seed),
    ...(synthetic ? { DISTRICTS_FILE: writeDistricts(workDir, 'districts') } : {}),
  });
  const { sandbox, env } = await startConfiguredNexusSandbox(base);
  const config = { ...base, ...env };
  const control = new NexusSandboxControl(sandbox.url);
  const redis = new Redis(redisUrl);
  const clients: NexusClient[] = [];
  const client = () => {
    const x = NexusClient.fromConfig(config);
    clients.push(x);
    return x;
  };
  const calls = async () => (await control.stats()).total;
  const purposes = async () => Object.fromEntries((await nexusCalls.get()).values.map((v) => [String(v.labels.purpose), v.value]));
  try {
    const districts = loadDistricts(config);
    const district = districts[0];
    const start = meetingStartInstant(district, meetingDate);
    const clock = new ManualClock(new Date(start.getTime() - 7 * 86_400_000));
    const store = new AfterMeetingStore(redis, config.QUEUE_PREFIX);
    const settings = afterMeetingSettings(config, districts);
    const before = await purposes();

    // The agenda (another process): its collect walks the list and hands the self links on. A
    // synthetic district has a note for every citizen on the meeting day, more than one meeting
    // holds: its first N notes stand for the agenda.
    const watchList = new AgendaWatchList(store, settings.followUpMs);
    let items: Array<{ noteId: number; citizenId: number }>;
    if (synthetic) {
      const found = await nexusFor(client(), 'agenda').findMeetingNotes({
        observationDate: meetingDate,
        formTitle: district.nexus.formTitle,
        tag: district.nexus.tag,
        citizenList: district.nexus.citizenList,
        citizenView: district.nexus.citizenView,
      });
      items = found.slice(0, c.agendaNotes ?? found.length).map((n) => ({ noteId: n.id, citizenId: n.citizenId }));
      await watchList.register(district, { meetingDate, items: items as never }, found);
    } else {
      const { agenda, notes } = await new CollectAgenda(nexusFor(client(), 'agenda'), districts, null, null).collect(
        district.id,
        meetingDate,
        {
          store: false,
        },
      );
      items = agenda.items.slice(0, c.agendaNotes ?? agenda.items.length);
      await watchList.register(district, { meetingDate, items: items as never }, notes ?? []);
    }

    // The worker, restarted since: a fresh client knows no links but the stored ones.
    const audit = new AuditService(redis, path.join(workDir, 'audit'), config.QUEUE_PREFIX);
    const watch = new NotesWatch(
      client(),
      { addFlow: async (n) => n.jobId },
      store,
      audit,
      [district],
      settings,
      pino({ level: 'silent' }),
      () => clock.now(),
    );

    let mark = await calls();
    for (let t = 0; t < 60; t += 5) {
      await watch.pass();
      clock.advance(5 * MINUTE);
    }
    const quietHourCalls = (await calls()) - mark;

    const half = items.slice(0, Math.ceil(items.length / 2));
    for (const item of half) await control.conclude(item.noteId, { Konklusion: 'Drøftet på mødet' });
    clock.set(new Date(start.getTime() + MINUTE));
    mark = await calls();
    await watch.pass();
    const firstPassCalls = (await calls()) - mark;

    for (const item of items.slice(half.length)) await control.conclude(item.noteId, { Konklusion: 'Drøftet på mødet' });
    clock.advance(5 * MINUTE);
    mark = await calls();
    await watch.pass();
    const laterPassCalls = (await calls()) - mark;

    clock.set(new Date(start.getTime() + 16.5 * 3_600_000)); // 02:30 the night after
    mark = await calls();
    await watch.sweep();
    const sweepCalls = (await calls()) - mark;

    const after = await purposes();
    const byPurpose = Object.fromEntries(
      Object.entries(after)
        .map(([k, v]) => [k, v - (before[k] ?? 0)])
        .filter(([, v]) => (v as number) > 0),
    );
    return {
      citizens: seed.citizens.length,
      agendaNotes: items.length,
      quietHourCalls,
      firstPassCalls,
      laterPassCalls,
      sweepCalls,
      byPurpose,
    };
  } finally {
    clients.forEach((x) => x.shutdown());
    await redis.quit();
    await sandbox.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
