import 'reflect-metadata';
import { QueueGateway } from '../../queues/queue.gateway';
import { RunningService, startService } from '../../src/main';
import { jobDuration, outboundDuration } from '../../src/metrics/metrics';
import { loadDistricts } from '../../src/config/districts';
import { AfterMeetingStore } from '../../src/workflows/after-meeting/after-meeting.store';
import { hrefsOf } from '../../src/workflows/after-meeting/after-meeting.watch';
import { NEXUS_PORT, NexusPort, nexusFor } from '../../adapters/nexus/nexus.port';
import { BENCH_MEETING_DATE } from '../support/bench-seed';
import { WindowProfiler } from '../support/window-profiler';

/**
 * The benchmark's worker process: the production worker role (every queue, every processor, real
 * adapters) configured from the environment the bench gives it, pointed at the bench's simulators
 * and Redis. The bench drives it over IPC: start a watch, read queue counts, dead letters and stage
 * timings, sample memory, stop.
 */
type Command =
  | { id: number; cmd: 'publish' | 'watch' | 'counts' | 'dead' | 'stages' | 'memory' | 'cpu' | 'profile-start' | 'stop'; jobId?: string }
  | { id: number; cmd: 'profile-stop'; file: string };

let svc: RunningService | undefined;
/** The main thread's CPU profile over the timed run (npm run bench:profile). */
let profiler: WindowProfiler | undefined;

async function handle(c: Command): Promise<unknown> {
  const gateway = svc!.app.get(QueueGateway);
  switch (c.cmd) {
    case 'publish': {
      // What the agenda collect hands the watch before the meeting: its notes with their self links.
      // (A bench batch is more notes than one agenda can place, so the walk's notes stand for the agenda.)
      const district = loadDistricts(svc!.config)[0];
      const nexus = svc!.app.get<NexusPort>(NEXUS_PORT);
      const notes = await nexusFor(nexus, 'agenda').findMeetingNotes({
        observationDate: BENCH_MEETING_DATE,
        formTitle: district.nexus.formTitle,
        tag: district.nexus.tag,
        citizenList: district.nexus.citizenList,
        citizenView: district.nexus.citizenView,
      });
      // The meeting begins now (the bench's clock is the machine's; the seed's date is only a label).
      const startsAt = svc!.clock.now().getTime() - 1;
      await svc!.app.get(AfterMeetingStore).watchMeeting(
        { districtId: district.id, meetingDate: BENCH_MEETING_DATE, startsAt, endsAt: startsAt + 86_400_000 },
        notes.map((n) => ({ noteId: n.id, citizenId: n.citizenId, source: 'agenda' as const, ...hrefsOf(n) })),
      );
      return { items: notes.length };
    }
    case 'watch':
      // The production job, enqueued by hand as the demo does for the agenda (the schedule is off).
      return { jobId: await gateway.enqueue('notes.watch', {}, { jobId: c.jobId }) };
    case 'counts':
      return { counts: await gateway.jobCounts() };
    case 'dead':
      return { dead: (await gateway.deadLetters(5)).map((d) => ({ id: d.id, reason: d.reason })) };
    case 'stages':
      return { jobs: await histogramTotals(jobDuration, 'job'), calls: await histogramTotals(outboundDuration, 'system') };
    case 'cpu': {
      const u = process.cpuUsage();
      return { cpuMs: (u.user + u.system) / 1000 };
    }
    case 'profile-start':
      profiler = new WindowProfiler();
      await profiler.start();
      return { started: true };
    case 'profile-stop':
      await profiler?.stop(c.file);
      profiler = undefined;
      return { written: c.file };
    case 'memory': {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const m = process.memoryUsage();
      return { rss: m.rss, heapUsed: m.heapUsed, gcForced: !!gc };
    }
    case 'stop':
      await svc!.stop();
      setImmediate(() => process.exit(0));
      return { stopped: true };
  }
}

/** Count and summed seconds per label value of one of our histograms (job durations, outbound call durations). */
type HistogramLike = { get(): Promise<{ values: Array<{ labels: object; value: number; metricName?: string }> }> };

async function histogramTotals(h: HistogramLike, by: string): Promise<Record<string, { count: number; seconds: number }>> {
  const out: Record<string, { count: number; seconds: number }> = {};
  for (const v of (await h.get()).values) {
    const key = String((v.labels as Record<string, unknown>)[by]);
    const name = v.metricName ?? '';
    out[key] ??= { count: 0, seconds: 0 };
    if (name.endsWith('_count')) out[key].count += v.value;
    if (name.endsWith('_sum')) out[key].seconds += v.value;
  }
  return out;
}

process.on('message', (c: Command) => {
  handle(c).then(
    (result) => process.send?.({ id: c.id, ok: true, result }),
    (err: unknown) => process.send?.({ id: c.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});

startService({ role: 'worker', sandboxes: false }).then(
  (s) => {
    svc = s;
    process.send?.({ ready: true });
  },
  (err: unknown) => {
    process.stderr.write(`bench worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
