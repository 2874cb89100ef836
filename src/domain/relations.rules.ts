/**
 * Which organisations must be attached to a citizen before the meeting ("Organisationer tilknyttet
 * borgeren", seed 004): Visitator always; with dementia both Demensspecialister and Sygeplejersker.
 * Organisation names are the municipality's configured names, compared trimmed, case-folded and with
 * inner whitespace collapsed (Nexus shows them as typed by an administrator).
 */
export interface RelationNames {
  visitator: string;
  dementia: string;
  /**
   * The nurses' organisation under each name it may have, in order of preference: the seed calls it
   * "Sygeplejersker/sundhedslovgivning", other installations "Sygeplejersker". Any one attached is enough.
   */
  nurses: readonly string[];
}

export type RelationWarning = 'MISSING_VISITATOR' | 'DEMENTIA_NEEDS_DEMENSSPECIALISTER' | 'DEMENTIA_NEEDS_SYGEPLEJERSKER';

/** The note item that flags dementia when the citizen's conditions do not (yet) say so. */
export const DEMENTIA_ITEM = 'Demens';

/** The form in which two organisation names are compared. */
export const organisationKey = (name: string): string => name.normalize('NFC').trim().replace(/\s+/gu, ' ').toLocaleLowerCase('da');
const norm = organisationKey;

export function isAttached(organisations: readonly string[], name: string): boolean {
  const wanted = norm(name);
  return organisations.some((o) => norm(o) === wanted);
}

/**
 * ICD-10 dementia codes: F00–F03 (dementia in Alzheimer's disease, vascular, other, unspecified) and
 * G30 (Alzheimer's disease), with or without the Danish SKS "D" prefix and with any subcode; dots are
 * ignored ("DF00.1", "F001", "G30.9"). The code must start the text or stand alone as a word.
 */
const DEMENTIA_CODE = /(?:^|[^a-z0-9])d?(?:f0[0-3]|g30)(?:[0-9a-z]*)(?:[^a-z0-9]|$)/u;

/** A condition names dementia: its words ("demens", "alzheimer") or its ICD-10 code. */
export function isDementiaCondition(condition: string): boolean {
  const text = condition.toLocaleLowerCase('da');
  return text.includes('demens') || text.includes('alzheimer') || DEMENTIA_CODE.test(text.replace(/\./gu, ''));
}

/** Dementia: a citizen condition that names it, or the note's item "Demens" answered "Ja". */
export function hasDementia(conditions: readonly string[], items: Readonly<Record<string, string>>): boolean {
  return conditions.some(isDementiaCondition) || (items[DEMENTIA_ITEM] ?? '').trim().toLocaleLowerCase('da') === 'ja';
}

export interface MissingRelation {
  /** The organisation to name to the coordinator (the first of the names it may have). */
  organisation: string;
  /** Every name that would satisfy the rule, in order of preference (auto-attach takes the first Nexus knows). */
  candidates: string[];
  warning: RelationWarning;
}

/** The organisations the rules require that are not attached, each with its warning, in rule order. */
export function missingRelations(organisations: readonly string[], dementia: boolean, names: RelationNames): MissingRelation[] {
  const one = (name: string, warning: RelationWarning): MissingRelation => ({ organisation: name, candidates: [name], warning });
  const required: MissingRelation[] = [one(names.visitator, 'MISSING_VISITATOR')];
  if (dementia) {
    required.push(one(names.dementia, 'DEMENTIA_NEEDS_DEMENSSPECIALISTER'));
    required.push({ organisation: names.nurses[0], candidates: [...names.nurses], warning: 'DEMENTIA_NEEDS_SYGEPLEJERSKER' });
  }
  return required.filter((r) => !r.candidates.some((c) => isAttached(organisations, c)));
}
