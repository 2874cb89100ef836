import type { AgendaRules, CandidateNote, CitizenFacts } from '../../../src/domain/agenda.builder';

/** Builders for agenda rule tests: a Solhøj-shaped meeting on Thursday 2026-12-03 unless told otherwise. */
export const FORM = 'Samlet faglig vurdering';
export const TAG = 'ÆS – Tværfagligt samarbejdsmøde';

export const RULES: AgendaRules = {
  startTime: '10:00',
  slotMinutes: 10,
  trackMinutes: 60,
  cutoffDays: 3,
  formTitle: FORM,
  tag: TAG,
  organisations: { visitator: 'Visitator', dementia: 'Demensspecialister', nurses: ['Sygeplejersker'] },
};

export const D = '2026-12-03';

let nextId = 9000;

export function note(citizenId: number, over: Partial<CandidateNote> & { items?: Record<string, string> } = {}): CandidateNote {
  const id = over.id ?? nextId++;
  return {
    id,
    version: 1,
    citizenId,
    formTitle: FORM,
    tags: [TAG],
    createDate: '2026-11-20T09:00:00+01:00',
    observationTimestamp: `${D}T00:00:00+01:00`,
    ...over,
    items: over.items ?? {},
  };
}

/** A rehab note with a priority. */
export const rehab = (citizenId: number, prio: string | undefined, over: Partial<CandidateNote> = {}) =>
  note(citizenId, {
    ...over,
    items: { Forløbstype: 'Rehabilitering (§ 83a)', ...(prio === undefined ? {} : { Prioritet: prio }), ...(over.items ?? {}) },
  });

/** A complex note with a priority. */
export const complex = (citizenId: number, prio: string | undefined, over: Partial<CandidateNote> = {}) =>
  note(citizenId, {
    ...over,
    items: { Forløbstype: 'Komplekst forløb', ...(prio === undefined ? {} : { Prioritet: prio }), ...(over.items ?? {}) },
  });

/** Citizen facts with Visitator attached (no relation warnings) unless given. */
export function citizens(ids: number[], over: Record<number, Partial<CitizenFacts>> = {}): Map<number, CitizenFacts> {
  return new Map(ids.map((id) => [id, { conditions: [], organisations: ['Visitator'], ...(over[id] ?? {}) }]));
}
