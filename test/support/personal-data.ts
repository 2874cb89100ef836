import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SEED_FILE } from '../../adapters/shared/sandbox-seed';
import { seedSchema } from '../../schemas/sandbox-seed.schema';

/** The personal-data scans' detector: the seeds' CPR numbers and names, and where they turn up. */
const TEST_ROOT = path.join(__dirname, '..');

export interface PersonalData {
  cprs: string[];
  names: string[];
  seeds: string[];
  /** Each seed citizen: CPR (no dash) and full name, for planting. */
  citizens: Array<{ cpr: string; name: string }>;
}

/** Every seed file in the repository's test tree and the shipped default: their CPRs and names. */
export function personalData(): PersonalData {
  const files = [DEFAULT_SEED_FILE, ...jsonFiles(TEST_ROOT)];
  const cprs = new Set<string>();
  const names = new Set<string>();
  const seeds: string[] = [];
  const citizens = new Map<string, string>();
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const parsed = seedSchema.safeParse(raw);
    if (!parsed.success || parsed.data.citizens.length === 0) continue;
    seeds.push(path.relative(path.join(TEST_ROOT, '..'), file));
    for (const c of parsed.data.citizens) {
      cprs.add(c.cpr);
      citizens.set(c.cpr, `${c.firstName} ${c.lastName}`);
      cprs.add(`${c.cpr.slice(0, 6)}-${c.cpr.slice(6)}`);
      for (const n of [...c.firstName.split(/\s+/), ...c.lastName.split(/\s+/)]) if (n.length >= 2) names.add(n);
    }
  }
  // The children's forms this test submits (the children seed holds the child; the forms add the adults).
  for (const n of ['Alma', 'Testbarn', 'Lene', 'Leder', 'Peter', 'Psykolog']) names.add(n);
  return { cprs: [...cprs], names: [...names], seeds, citizens: [...citizens].map(([cpr, name]) => ({ cpr, name })) };
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : jsonFiles(full);
    return name.endsWith('.json') ? [full] : [];
  });
}

/** Hits of any CPR (not inside a longer number) or name (a whole word) in the texts, with where and a short context. */
export function findPersonalData(pd: { cprs: string[]; names: string[] }, texts: Array<{ source: string; text: string }>): string[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const patterns = [
    ...pd.cprs.map((c) => ({ what: c, re: new RegExp(`(?<!\\d)${escape(c)}(?!\\d)`) })),
    ...pd.names.map((n) => ({ what: n, re: new RegExp(`(?<![\\p{L}\\p{N}])${escape(n)}(?![\\p{L}\\p{N}])`, 'u') })),
  ];
  const hits: string[] = [];
  for (const { source, text } of texts) {
    for (const { what, re } of patterns) {
      const m = re.exec(text);
      if (m) hits.push(`${source}: "${what}" in …${text.slice(Math.max(0, m.index - 60), m.index + 60).replace(/\s+/g, ' ')}…`);
    }
  }
  return hits;
}
