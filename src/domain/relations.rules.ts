/**
 * Which organisations must be attached to a citizen before the meeting ("Organisationer tilknyttet
 * borgeren", seed 004): Visitator always; with dementia both Demensspecialister and Sygeplejersker.
 * Organisation names are the municipality's configured names, compared without regard to case or
 * surrounding blanks (Nexus shows them as typed by an administrator).
 */
export interface RelationNames {
  visitator: string;
  dementia: string;
  nurses: string;
}

export type RelationWarning = 'MISSING_VISITATOR' | 'DEMENTIA_NEEDS_DEMENSSPECIALISTER' | 'DEMENTIA_NEEDS_SYGEPLEJERSKER';

/** The note item that flags dementia when the citizen's conditions do not (yet) say so. */
export const DEMENTIA_ITEM = 'Demens';

/** The form in which two organisation names are compared. */
export const organisationKey = (name: string): string => name.trim().toLocaleLowerCase('da');
const norm = organisationKey;

export function isAttached(organisations: readonly string[], name: string): boolean {
  const wanted = norm(name);
  return organisations.some((o) => norm(o) === wanted);
}

/** Dementia: a citizen condition containing "demens", or the note's item "Demens" answered "Ja". */
export function hasDementia(conditions: readonly string[], items: Readonly<Record<string, string>>): boolean {
  return conditions.some((c) => norm(c).includes('demens')) || norm(items[DEMENTIA_ITEM] ?? '') === 'ja';
}

/** The organisations the rules require that are not attached, each with its warning, in rule order. */
export function missingRelations(
  organisations: readonly string[],
  dementia: boolean,
  names: RelationNames,
): Array<{ organisation: string; warning: RelationWarning }> {
  const required: Array<{ organisation: string; warning: RelationWarning }> = [
    { organisation: names.visitator, warning: 'MISSING_VISITATOR' },
  ];
  if (dementia) {
    required.push({ organisation: names.dementia, warning: 'DEMENTIA_NEEDS_DEMENSSPECIALISTER' });
    required.push({ organisation: names.nurses, warning: 'DEMENTIA_NEEDS_SYGEPLEJERSKER' });
  }
  return required.filter((r) => !isAttached(organisations, r.organisation));
}
