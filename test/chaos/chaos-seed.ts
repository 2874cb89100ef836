import { syntheticSeed } from '../../adapters/nexus/sandbox/synthetic-seed';
import type { Seed } from '../../schemas/sandbox-seed.schema';
import type { District } from '../../src/config/districts';

/** Fictitious GP practices of the chaos run, one per MedCom format, so every composer and receipt kind is exercised. */
export const CHAOS_PRACTICES: NonNullable<Seed['practices']> = [
  { ydernummer: '090001', name: 'Kaoslægerne, Solhøj', ean: '5790009000011', sor: '900001000016001', formats: ['xdis91'] },
  { ydernummer: '090002', name: 'Lægehuset Prøvevej', ean: '5790009000028', sor: '900002000016002', formats: ['fhir-xml'] },
  { ydernummer: '090003', name: 'Testklinikken Nordvang', ean: '5790009000035', sor: '900003000016003', formats: ['fhir-json'] },
];

/** The organisations the after-meeting follow-ups address (names as in the shipped districts and config defaults). */
const ORGANISATIONS = [
  'Visitator',
  'Demensspecialister',
  'Sygeplejersker',
  'Træning og Rehabilitering',
  'Hjemmeplejen',
  'Koordinerende rolle',
].map((name, i) => ({ id: 10 + i, name }));

export interface ChaosSeedOptions {
  notes: number;
  districts: readonly District[];
  /** Meeting day of every note (YYYY-MM-DD). */
  meetingDate: string;
}

/**
 * One tagged draft note per fictitious citizen, the citizens dealt round-robin over the districts'
 * citizen lists, each with an eDoc case and a GP practice: everything the after-meeting flow needs
 * once the note is concluded and locked. Built on syntheticSeed (valid-date CPR numbers, unique ids).
 */
export function buildChaosSeed(o: ChaosSeedOptions): Seed {
  if (!o.districts.length) throw new Error('the chaos seed needs at least one district');
  const first = o.districts[0].nexus;
  const base = syntheticSeed({ citizens: o.notes, meetingDate: o.meetingDate, formTitle: first.formTitle, tag: first.tag });
  return {
    organizations: ORGANISATIONS,
    practices: CHAOS_PRACTICES,
    citizens: base.citizens.map((c, i) => {
      const district = o.districts[i % o.districts.length];
      return {
        ...c,
        firstName: 'Kaos',
        district: district.id,
        organizations: [ORGANISATIONS[0].id],
        gp: { ydernummer: CHAOS_PRACTICES[i % CHAOS_PRACTICES.length].ydernummer },
        edocCase: `26/${String(700000 + i)}`,
        notes: c.notes.map((n) => ({ ...n, formTitle: district.nexus.formTitle, tags: [district.nexus.tag] })),
      };
    }),
  };
}

/** The meeting notes of a chaos seed, in seed order: what the controller concludes. */
export function chaosNotes(seed: Seed): Array<{ noteId: number; citizenId: number; cpr: string; districtId: string }> {
  return seed.citizens.flatMap((c) => c.notes.map((n) => ({ noteId: n.id, citizenId: c.id, cpr: c.cpr, districtId: c.district! })));
}
