import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { syntheticSeed } from '../../adapters/nexus/sandbox/synthetic-seed';
import { DEFAULT_SEED_FILE, loadSeed } from '../../adapters/shared/sandbox-seed';
import type { Seed } from '../../schemas/sandbox-seed.schema';
import { demoConclusion } from '../../src/demo/demo-meeting';
import { DEFAULT_DISTRICTS_FILE } from '../../src/config/districts';
import type { FollowUpLabels } from '../../src/domain/after-meeting.rules';

/** A Solhøj meeting day late in the month: syntheticSeed dates notes on the 1st, well before the cut-off. */
export const BENCH_MEETING_DATE = '2026-12-17';

export interface BenchSeedNames {
  formTitle: string;
  tag: string;
}

/**
 * A district of `citizens` fictitious citizens, each with one tagged draft note for the meeting, a GP
 * (round-robin over the shipped seed's practices: XDIS91 and FHIR receivers) and an eDoc case, and
 * the shipped seed's organisations (home care, coordinator, Visitator). Deterministic.
 */
export function benchSeed(citizens: number, names: BenchSeedNames): Seed {
  const shipped = loadSeed(DEFAULT_SEED_FILE);
  const practices = shipped.practices ?? [];
  if (!practices.length) throw new Error('the shipped seed has no GP practices');
  const seed = syntheticSeed({ citizens, meetingDate: BENCH_MEETING_DATE, formTitle: names.formTitle, tag: names.tag });
  return {
    organizations: shipped.organizations,
    practices,
    citizens: seed.citizens.map((c, i) => ({
      ...c,
      organizations: [],
      gp: { ydernummer: practices[i % practices.length].ydernummer },
      edocCase: `26/${String(100_000 + i).padStart(6, '0')}`,
    })),
  };
}

export function writeSeed(dir: string, name: string, seed: Seed): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

/** A DISTRICTS_FILE with the shipped first district only: the bench municipality is that one district. */
export function writeDistricts(dir: string, name: string): string {
  const file = path.join(dir, `${name}.json`);
  const shipped = JSON.parse(readFileSync(DEFAULT_DISTRICTS_FILE, 'utf8')) as { districts: unknown[] };
  writeFileSync(file, JSON.stringify({ ...shipped, districts: shipped.districts.slice(0, 1) }));
  return file;
}

/** The seed's GP registrations as a GP_DIRECTORY_FILE, as a municipality on a real VANS configures it. */
export function writeGpDirectory(dir: string, name: string, seed: Seed): string {
  const file = path.join(dir, `${name}.json`);
  const gpByCpr = Object.fromEntries(seed.citizens.filter((c) => c.gp).map((c) => [c.cpr, c.gp!.ydernummer]));
  writeFileSync(file, JSON.stringify({ practices: seed.practices ?? [], gpByCpr }));
  return file;
}

/**
 * What the meeting concludes for the note at `position`. The full mix is the demo's deterministic
 * one: half the notes go to the GP, a third ask home care, half attach organisations, a fifth
 * re-visitation. "filing" concludes with nothing to follow up: only the eDoc filing runs (the memory
 * soak uses it for its correction rounds, to fit its note count into the run's time budget).
 */
export function benchConclusion(position: number, mix: 'full' | 'filing', labels: FollowUpLabels): Record<string, string> {
  const items = demoConclusion(position, labels);
  if (mix === 'full') return items;
  return { ...items, [labels.sendToGp]: 'Nej', [labels.homeCareTask]: '', [labels.attachOrganisations]: '', [labels.revisitation]: 'Nej' };
}
