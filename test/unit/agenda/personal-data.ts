import type { Seed } from '../../../schemas/sandbox-seed.schema';

/**
 * Every piece of personal data a seed holds that must never leave Nexus in an invitation: CPR numbers
 * (with and without the dash), first, last and full names, free-text note items, citizen and note
 * ids (unless `ids: false`, for outputs that carry ids by contract). Returns what was found in the
 * text (empty = clean). Names and ids match as whole words.
 */
export function personalDataHits(text: string, seed: Seed, opts: { ids?: boolean } = {}): string[] {
  const ids = opts.ids ?? true;
  const hits: string[] = [];
  const word = (s: string) => new RegExp(`(^|[^\\p{L}\\p{N}])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`, 'iu');
  for (const c of seed.citizens) {
    for (const cpr of [c.cpr, `${c.cpr.slice(0, 6)}-${c.cpr.slice(6)}`]) if (text.includes(cpr)) hits.push(`cpr of citizen ${c.id}`);
    for (const name of [c.firstName, c.lastName, `${c.firstName} ${c.lastName}`])
      if (word(name).test(text)) hits.push(`name of citizen ${c.id}`);
    if (ids && word(String(c.id)).test(text)) hits.push(`citizen id ${c.id}`);
    for (const n of c.notes) {
      if (ids && word(String(n.id)).test(text)) hits.push(`note id ${n.id}`);
      for (const [label, value] of Object.entries(n.items)) {
        if (value.trim().length >= 12 && text.includes(value.trim())) hits.push(`item ${label} of note ${n.id}`);
      }
    }
  }
  return hits;
}
