import type { MessageRate } from './messages/messages.bench';
import type { CallsPerNoteRow } from './pipeline/calls-per-note';
import type { MemorySample, PipelineScenarioResult } from './pipeline/pipeline.bench';
import type { QueueOverheadResult } from './queue/queue-overhead.bench';
import type { AgendaScaleResult } from './scale/agenda-scale.bench';
import { round, sum } from './support/stats';
import { table } from './support/table';
import type { WatchBudgetFigures } from './watch/watch-budget';

/** bench/results.json. */
export interface BenchResults {
  meta: {
    at: string;
    seconds: number;
    node: string;
    cpus: number;
    cpuModel: string;
    /** 1-minute load average at the start and after each stage: other work on the machine shows here. */
    loadAverage1m: number[];
    commit: string;
    settings: Record<string, unknown>;
  };
  pipeline: PipelineScenarioResult[];
  callsPerNote: CallsPerNoteRow[];
  queue: QueueOverheadResult;
  agenda: AgendaScaleResult[];
  memory: MemorySample[];
  messages: MessageRate[];
  /** The watch's Nexus call budget at several district sizes (bench/watch/watch-budget.ts). */
  watch?: WatchBudgetFigures[];
}

const sec = (ms: number) => round(ms / 1000, 1);

function scenarioName(p: PipelineScenarioResult): string {
  const s = p.scenario;
  return s.nexusLatencyMs || s.edocLatencyMs ? `Nexus ${s.nexusLatencyMs} ms, eDoc ${s.edocLatencyMs} ms` : 'no latency';
}

/** The printed table (stdout and docs/benchmark.md). */
export function renderResults(r: BenchResults): string {
  const m = r.meta;
  const out: string[] = [];
  out.push(`tsm-bridge benchmark – ${m.at}, commit ${m.commit}, node ${m.node}, ${m.cpus} × ${m.cpuModel}`);
  out.push(`run ${m.seconds} s; 1-min load average at start and after each stage: ${m.loadAverage1m.join(' → ')}`);

  out.push('', '1. Pipeline vs bare – same run, same HTTP calls per endpoint, same concurrency');
  out.push(
    table([
      ['scenario', 'notes', 'pipeline notes/s', 'bare notes/s', 'ratio', 'pipeline p50 / p99 s', 'bare p50 / p99 s', 'same calls'],
      ...r.pipeline.map((p) => [
        scenarioName(p),
        p.pipeline.notes,
        p.pipeline.notesPerSecond,
        p.bare.notesPerSecond,
        p.ratio,
        `${sec(p.pipeline.p50Ms)} / ${sec(p.pipeline.p99Ms)}`,
        `${sec(p.bare.p50Ms)} / ${sec(p.bare.p99Ms)}`,
        p.sameCalls ? 'yes' : `no: ${JSON.stringify(p.callDifferences)}`,
      ]),
    ]),
  );
  out.push("lock-to-done: all notes locked at once (a meeting day's batch); from the start of the watch to each note's last step.");
  for (const p of r.pipeline.filter((x) => x.rounds && x.rounds.length > 1)) {
    const rounds = p.rounds!;
    out.push(
      `${scenarioName(p)}: ${rounds.length} rounds, each pipeline then bare; the row above is the median round. ` +
        `Ratios ${rounds.map((x) => x.ratio).join(', ')}; CPU ratios ${rounds.map((x) => x.cpuRatio).join(', ')}; ` +
        `bare notes/s ${rounds.map((x) => x.bareNotesPerSecond).join(', ')}.`,
    );
  }
  out.push('target ratio ≥ 0.8');
  out.push(
    table([
      ['scenario', 'worker CPU ms/note', 'bare CPU ms/note', 'CPU ratio (bare ÷ worker)'],
      ...r.pipeline.map((p) => [scenarioName(p), p.pipeline.cpuMsPerNote, p.bare.cpuMsPerNote, p.cpuRatio]),
    ]),
  );
  out.push(
    "CPU per note: user + system time of the worker process (bare: of its process) over the run; the machine's other load moves it far less than notes/s.",
  );
  out.push('', 'Stages of the pipeline run – jobs, mean job time in the worker (includes waiting for the per-system call limit)');
  out.push(
    table([
      ['job', ...r.pipeline.map(scenarioName)],
      ...['notes.watch', 'edoc.journal-note', 'medcom.send-note', 'nexus.note-tasks', 'after-meeting.note'].map((job) => [
        job,
        ...r.pipeline.map((p) => (p.stages[job] ? `${p.stages[job].jobs} × ${p.stages[job].meanMs} ms` : '–')),
      ]),
      ['bare: walk of the citizen list', ...r.pipeline.map((p) => `${p.bare.walkSeconds} s`)],
      [
        'HTTP call, Nexus / eDoc (mean)',
        ...r.pipeline.map((p) => `${p.callTimes.nexus?.meanMs ?? '–'} / ${p.callTimes.edoc?.meanMs ?? '–'} ms`),
      ],
    ]),
  );

  const q = r.queue;
  out.push(
    '',
    `2. Queue overhead – ${q.jobs} no-op jobs per side, one worker with concurrency ${q.concurrency}, same Redis, best of 4 rounds`,
  );
  out.push(
    table([
      ['', 'enqueue jobs/s', 'process jobs/s'],
      ['raw BullMQ (Queue.add, Worker)', q.rawBullmq.enqueuePerSecond, q.rawBullmq.processPerSecond],
      ['ours (QueueGateway, WorkerHost, maintenance.noop)', q.ours.enqueuePerSecond, q.ours.processPerSecond],
      ['ours ÷ raw', q.enqueueRatio, q.processRatio],
    ]),
  );
  const first = r.pipeline[0];
  out.push(
    `our jobs per note: ${first.jobsPerNote} (flow parent + its steps: filing always, letter, tasks when asked; one receipt timer per letter), plus one watch job per batch`,
  );

  out.push(
    '',
    `3. Calls per note – ${first.pipeline.notes} notes, no-latency run (the bare run made the same calls: ${first.sameCalls ? 'yes' : 'no'})`,
  );
  out.push(
    table([
      ['system', 'endpoint', 'per note', 'minimum', 'extra', 'why the extra calls'],
      ...r.callsPerNote.map((c) => [
        c.system,
        c.endpoint,
        round(c.perNote, 3),
        round(c.minimumPerNote, 3),
        round(c.perNote - c.minimumPerNote, 3),
        c.why,
      ]),
    ]),
  );
  const nexusRows = r.callsPerNote.filter((c) => c.system === 'nexus');
  out.push(
    `Nexus per note: ${round(sum(nexusRows.map((c) => c.perNote)), 2)} calls, protocol minimum ${round(sum(nexusRows.map((c) => c.minimumPerNote)), 2)} (the watch reads each agenda note once by the self link the agenda stored; the agenda's own walk is its budget, not counted here)`,
  );
  if (r.watch?.length) {
    out.push(
      '',
      "3b. The watch's Nexus call budget – simulator stats, manual clock; one meeting of N agenda notes (bench/watch/watch-budget.ts)",
    );
    out.push(
      table([
        [
          'citizens',
          'N',
          'quiet hour (12 passes)',
          'first pass after start',
          'later pass',
          'nightly sweep (full walk)',
          'calls by purpose',
        ],
        ...r.watch.map((w) => [
          w.citizens,
          w.agendaNotes,
          w.quietHourCalls,
          w.firstPassCalls,
          w.laterPassCalls,
          w.sweepCalls,
          JSON.stringify(w.byPurpose),
        ]),
      ]),
    );
    out.push(
      "A pass costs one GET per agenda note not yet processed (plus a token for a fresh process), whatever the district's size; outside a meeting's follow-up window it sends nothing. The full walk, once a night, is what every pass cost before.",
    );
  }

  out.push(
    '',
    '4. Scale – agenda building: production collect against the Nexus simulator (candidate notes = notes of the meeting form on the list, each read once); builder timed alone',
  );
  out.push(
    table([
      [
        'candidate notes',
        'citizens',
        'latency',
        'collect s',
        'Nexus calls',
        'at 50 ms/call (projected) s',
        'agenda items',
        'builder ms',
        'builder candidates',
      ],
      ...r.agenda.map((a) => [
        a.candidates,
        a.citizens,
        `${a.nexusLatencyMs} ms`,
        a.collectSeconds,
        a.nexusCalls,
        a.projectedSecondsAt50Ms,
        a.items,
        a.builderMs,
        a.builderCandidates,
      ]),
    ]),
  );
  out.push(
    '',
    'Worker memory (one worker process): the no-latency run (full mix), then correction rounds of every note (filing only); sampled after a forced GC',
  );
  out.push(table([['notes finished', 'RSS MB', 'heap used MB'], ...r.memory.map((x) => [x.notes, x.rssMb, x.heapUsedMb])]));

  out.push('', '5. Messages (bench/medcom.bench.ts, one core)');
  out.push(table([['measurement', 'n', 'per second'], ...r.messages.map((x) => [x.name, x.n, x.perSecond])]));
  return out.join('\n');
}
