import { NexusClient } from '../../adapters/nexus/nexus.client';
import type { NexusNote, NexusPort } from '../../adapters/nexus/nexus.port';
import { NexusSandboxControl } from '../../adapters/nexus/sandbox/nexus-sandbox.control';
import { startConfiguredNexusSandbox } from '../../adapters/nexus/sandbox/nexus-sandbox.start';
import { syntheticSeed } from '../../adapters/nexus/sandbox/synthetic-seed';
import type { Seed } from '../../schemas/sandbox-seed.schema';
import { loadDistricts } from '../../src/config/districts';
import { loadConfig } from '../../src/config/load-config';
import { AgendaInput, buildAgenda, CitizenFacts } from '../../src/domain/agenda.builder';
import { CollectAgenda } from '../../src/workflows/agenda/agenda.collect';
import { BENCH_MEETING_DATE, writeDistricts, writeSeed } from '../support/bench-seed';
import { progress } from '../support/progress';
import { percentile, round } from '../support/stats';

/** The next Solhøj meeting: where the other citizens' current notes belong. */
const OTHER_MEETING_DATE = '2026-12-31';

export interface AgendaScaleCase {
  /** Candidate notes: notes of the meeting-note form on the district's list (each costs the walk one call). */
  candidates: number;
  /** Citizens with a note for this meeting (the rest of the candidates are on other dates). */
  meetingCitizens: number;
  nexusLatencyMs: number;
}

export interface AgendaScaleResult extends AgendaScaleCase {
  citizens: number;
  /** The production collect (CollectAgenda over NexusClient and the simulator): wall time. */
  collectSeconds: number;
  /** Nexus calls the simulator counted for that collect. */
  nexusCalls: number;
  callsPerCitizen: number;
  /** Collect time at this call count if every call took 50 ms (NEXUS_CONCURRENCY in flight): a projection, not a measurement. */
  projectedSecondsAt50Ms: number;
  /** buildAgenda alone, no I/O (median of several runs): on the collected answers, padded to `candidates` notes dated on the meeting day (the padding is late, so rule 1 sorts it out). */
  builderMs: number;
  builderCandidates: number;
  items: number;
  excluded: number;
}

/**
 * Agenda building at scale: a synthetic district whose list holds `candidates` meeting notes, ten
 * per citizen beyond the meeting itself (older meetings, other dates) and one for this meeting for
 * `meetingCitizens` citizens; the production collect (list walk, every note of the form, each
 * agenda citizen's conditions and relations) against the Nexus simulator, then the pure builder
 * timed alone on the same answers.
 */
export async function runAgendaScale(c: AgendaScaleCase, workDir: string): Promise<AgendaScaleResult> {
  const name = `agenda-${c.candidates}-${c.nexusLatencyMs}ms`;
  const probe = loadConfig({});
  const seed = agendaSeed(c, probe.NEXUS_FORM_TITLE, probe.NEXUS_TAG);
  const base = loadConfig({
    LOG_LEVEL: 'warn',
    SANDBOX_SEED: writeSeed(workDir, `${name}-seed`, seed),
    DISTRICTS_FILE: writeDistricts(workDir, `${name}-districts`),
    SANDBOX_NEXUS_LATENCY_MS: String(c.nexusLatencyMs),
  });
  const { sandbox, env } = await startConfiguredNexusSandbox(base);
  const config = { ...base, ...env };
  const nexus = NexusClient.fromConfig(config);
  try {
    const districts = loadDistricts(config);
    const district = districts[0];
    const recorder = new RecordingNexus(nexus);
    // The collect reads notes, citizens and relations only: the recorder covers exactly those.
    const collect = new CollectAgenda(recorder as unknown as NexusPort, districts, null, null);
    await new NexusSandboxControl(sandbox.url).reset();
    const t0 = performance.now();
    const { agenda } = await collect.collect(district.id, BENCH_MEETING_DATE, { store: false });
    const collectSeconds = (performance.now() - t0) / 1000;
    const nexusCalls = (await new NexusSandboxControl(sandbox.url).stats()).total;

    // The same input the collect handed the builder, from the recorded answers, padded with late notes.
    const input: AgendaInput = {
      meetingDate: BENCH_MEETING_DATE,
      rules: { ...district, formTitle: district.nexus.formTitle, tag: district.nexus.tag, organisations: district.nexus.organisations },
      notes: padWithLateNotes(recorder.notes, c.candidates),
      citizens: recorder.facts(),
    };
    const runs = c.candidates >= 5_000 ? 5 : 25;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      buildAgenda(input);
      times.push(performance.now() - t);
    }
    const result: AgendaScaleResult = {
      ...c,
      citizens: seed.citizens.length,
      collectSeconds: round(collectSeconds, 2),
      nexusCalls,
      callsPerCitizen: round(nexusCalls / seed.citizens.length, 2),
      projectedSecondsAt50Ms: round((nexusCalls * 0.05) / config.NEXUS_CONCURRENCY, 1),
      builderMs: round(
        percentile(
          times.sort((a, b) => a - b),
          50,
        ),
        2,
      ),
      builderCandidates: input.notes.length,
      items: agenda.items.length,
      excluded: agenda.excluded.length,
    };
    progress(
      `agenda, ${c.candidates} candidate notes (${c.nexusLatencyMs} ms/call): collect ${result.collectSeconds} s, ${nexusCalls} calls, builder ${result.builderMs} ms`,
    );
    return result;
  } finally {
    nexus.shutdown();
    await sandbox.stop();
  }
}

/**
 * The district: citizens with ten notes of the meeting-note form each (one per citizen when the
 * meeting is all there is); `meetingCitizens` of them have their newest note on the meeting day.
 */
function agendaSeed(c: AgendaScaleCase, formTitle: string, tag: string): Seed {
  const perCitizen = c.candidates > c.meetingCitizens ? 10 : 1;
  const seed = syntheticSeed({
    citizens: Math.ceil(c.candidates / perCitizen),
    meetingDate: BENCH_MEETING_DATE,
    formTitle,
    tag,
    olderNotesPerCitizen: perCitizen - 1,
  });
  for (const citizen of seed.citizens.slice(c.meetingCitizens)) {
    const current = citizen.notes[citizen.notes.length - 1];
    current.observationTimestamp = current.observationTimestamp.replace(BENCH_MEETING_DATE, OTHER_MEETING_DATE);
  }
  return seed;
}

/** Candidate notes for the builder: the collected ones, then copies created on the meeting day itself (late). */
function padWithLateNotes(notes: readonly NexusNote[], total: number): NexusNote[] {
  const out = [...notes];
  for (let i = 0; out.length < total && notes.length; i++) {
    const n = notes[i % notes.length];
    out.push({ ...n, id: 10_000_000 + i, citizenId: 20_000_000 + i, createDate: `${BENCH_MEETING_DATE}T08:00:00.000Z` });
  }
  return out;
}

/** Passes the collect's reads through to Nexus and keeps the answers, so the builder can be timed alone. */
class RecordingNexus implements Pick<NexusPort, 'findMeetingNotes' | 'getCitizen' | 'getRelations'> {
  notes: Awaited<ReturnType<NexusPort['findMeetingNotes']>> = [];
  private readonly conditions = new Map<number, readonly string[]>();
  private readonly relations = new Map<number, readonly string[]>();

  constructor(private readonly nexus: NexusPort) {}

  async findMeetingNotes(q: Parameters<NexusPort['findMeetingNotes']>[0]) {
    this.notes = await this.nexus.findMeetingNotes(q);
    return this.notes;
  }

  async getCitizen(id: number) {
    const c = await this.nexus.getCitizen(id);
    this.conditions.set(id, c.conditions);
    return c;
  }

  async getRelations(id: number) {
    const r = await this.nexus.getRelations(id);
    this.relations.set(
      id,
      r.map((x) => x.organisation.name),
    );
    return r;
  }

  facts(): Map<number, CitizenFacts> {
    return new Map(
      [...this.conditions.keys()].map((id) => [id, { conditions: this.conditions.get(id)!, organisations: this.relations.get(id) ?? [] }]),
    );
  }
}
