import { maskCpr } from '../../src/logging/redact';
import { parseNexusDate } from './nexus.dates';
import { badResponse, isRecord, optionalLink } from './nexus.links';
import type { NexusCitizen, NexusCitizenIdentity, NexusNote, NexusOrganisation, NexusRelation } from './nexus.port';

/**
 * Wire JSON (as public municipal clients show Nexus's answers) ⇄ port types. Every reader is
 * defensive: a missing or malformed field becomes NEXUS_BAD_RESPONSE naming the field and the
 * object's id, never a TypeError and never a value from the body.
 */
export type Wire = Record<string, unknown>;

export function asRecord(v: unknown, what: string): Wire {
  if (!isRecord(v)) throw badResponse(`${what} is not a JSON object`);
  return v;
}

export function asArray(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw badResponse(`${what} is not a JSON array`);
  return v;
}

export function idOf(v: unknown, what: string): number {
  const id = isRecord(v) ? v.id : undefined;
  const n = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw badResponse(`${what} has no numeric id`);
  return n;
}

function str(obj: Wire, field: string, what: string): string {
  const v = obj[field];
  if (typeof v !== 'string') throw badResponse(`${what} has no "${field}"`);
  return v;
}

function isoDate(obj: Wire, field: string, what: string): string {
  const ms = parseNexusDate(obj[field]);
  if (ms === undefined) throw badResponse(`${what} has no valid "${field}"`);
  return new Date(ms).toISOString();
}

/** A form item's value as the text a user sees: plain values, `{name}` choices, lists of choices. */
export function itemText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value))
    return value
      .map(itemText)
      .filter((s) => s !== '')
      .join(', ');
  if (isRecord(value)) {
    for (const key of ['name', 'text', 'value']) {
      if (key in value) return itemText(value[key]);
    }
  }
  return '';
}

export function formTitle(form: Wire): string | undefined {
  const def = form.formDefinition;
  return isRecord(def) && typeof def.title === 'string' ? def.title : undefined;
}

export function activeTagNames(form: Wire): string[] {
  if (!Array.isArray(form.tags)) return [];
  return form.tags.filter((t) => isRecord(t) && typeof t.name === 'string' && t.active !== false).map((t) => (t as Wire).name as string);
}

export function workflowStateName(obj: Wire): string | undefined {
  const ws = obj.workflowState;
  return isRecord(ws) && typeof ws.name === 'string' ? ws.name : undefined;
}

export interface NoteMapping {
  /** Name of the locked workflow state ("Låst"). */
  lockedState: string;
  /** The citizen the form was reached through, when the form itself does not say. */
  citizenId?: number;
}

export function toNote(raw: unknown, m: NoteMapping): NexusNote {
  const form = asRecord(raw, 'form');
  const id = idOf(form, 'form');
  const what = `form ${id}`;
  const version = form.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) throw badResponse(`${what} has no "version"`);
  const title = formTitle(form);
  if (title === undefined) throw badResponse(`${what} has no "formDefinition.title"`);
  const state = workflowStateName(form);
  if (state === undefined) throw badResponse(`${what} has no "workflowState.name"`);
  const citizenId = isRecord(form.patient) ? idOf(form.patient, `${what} patient`) : m.citizenId;
  if (citizenId === undefined) throw badResponse(`${what} has no "patient"`);
  // A form whose items are not a list is broken, not empty: filing or sending it would lose the conclusions.
  if (form.items !== undefined && !Array.isArray(form.items)) throw badResponse(`${what} has "items" that is not a list`);
  const items: Record<string, string> = {};
  for (const item of Array.isArray(form.items) ? form.items : []) {
    if (isRecord(item) && typeof item.label === 'string' && !(item.label in items)) items[item.label] = itemText(item.value);
  }
  const updateMs = parseNexusDate(form.updateDate);
  const selfHref = optionalLink(form, 'self');
  return {
    id,
    version,
    citizenId,
    formTitle: title,
    state,
    locked: form.locked === true || state === m.lockedState,
    createDate: isoDate(form, 'createDate', what),
    ...(updateMs !== undefined ? { updateDate: new Date(updateMs).toISOString() } : {}),
    observationTimestamp: isoDate(form, 'observationTimestamp', what),
    items,
    tags: activeTagNames(form),
    ...(selfHref ? { selfHref } : {}),
  };
}

/** Whether an item holds nothing: null, "", an empty list or a choice without a name. */
function isEmptyValue(value: unknown): boolean {
  return itemText(value).trim() === '';
}

/**
 * Labels of the form's `required` items that are empty. Nexus refuses to lock such a form (Nyborg's
 * robot fills or checks them before it saves with "Låst"), so the client says so before writing.
 */
export function emptyRequiredItems(form: Wire): string[] {
  const items = Array.isArray(form.items) ? form.items : [];
  return items
    .filter((i): i is Wire => isRecord(i) && i.required === true && isEmptyValue(i.value))
    .map((i) => (typeof i.label === 'string' ? i.label : `#${String(i.id ?? '?')}`));
}

/** A form (formData) rather than a pathway reference or document wrapper: it has a definition and items. */
export function isFormBody(v: unknown): v is Wire {
  return isRecord(v) && (isRecord(v.formDefinition) || Array.isArray(v.items)) && typeof v.version === 'number';
}

/** The form title a pathway node shows: `formDefinition.title` (public robots filter on it), else `name`. */
export function nodeTitle(node: Wire): string | undefined {
  const t = formTitle(node);
  if (t !== undefined) return t;
  return typeof node.name === 'string' ? node.name : undefined;
}

/** The form id a pathway node points at (`formDataId`), when it says. */
export function nodeFormId(node: Wire): number | undefined {
  const v = node.formDataId;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

/** Sets a text item (the first with this label) on a wire form in place, ready to PUT back. */
export function setItemText(form: Wire, label: string, value: string): void {
  const items = Array.isArray(form.items) ? form.items : [];
  const item = items.find((i): i is Wire => isRecord(i) && i.label === label);
  if (!item) throw badResponse(`form ${idOf(form, 'form')} has no item "${label}"`);
  item.value = value;
}

export function toCitizen(rawPatient: unknown, rawConditions: unknown): NexusCitizen {
  const identity = toCitizenIdentity(rawPatient);
  return { ...identity, conditions: activeConditionNames(rawConditions, `patient ${identity.id}`) };
}

export function toCitizenIdentity(rawPatient: unknown): NexusCitizenIdentity {
  const p = asRecord(rawPatient, 'patient');
  const id = idOf(p, 'patient');
  const what = `patient ${id}`;
  const ident = p.patientIdentifier;
  const cpr = isRecord(ident) && typeof ident.identifier === 'string' ? ident.identifier.replace(/-/g, '') : '';
  if (!/^\d{10}$/.test(cpr)) throw badResponse(`${what} has no valid "patientIdentifier"`);
  const firstName = typeof p.firstName === 'string' ? p.firstName : '';
  const lastName = typeof p.lastName === 'string' ? p.lastName : '';
  const fullName = typeof p.fullName === 'string' ? p.fullName : `${firstName} ${lastName}`.trim();
  if (!fullName) throw badResponse(`${what} has no name`);
  return { id, cpr, firstName, lastName, fullName };
}

/** Names of the citizen's conditions that are not ended (state codes other than PCActive count as inactive). */
function activeConditionNames(raw: unknown, what: string): string[] {
  const list = asArray(raw, `${what} conditions`);
  const names = new Set<string>();
  for (const c of list) {
    if (!isRecord(c) || typeof c.name !== 'string') continue;
    const state = isRecord(c.state) ? (isRecord(c.state.value) ? c.state.value : c.state) : undefined;
    const code = state && typeof state.code === 'string' ? state.code : undefined;
    if (code === undefined || code === 'PCActive') names.add(c.name);
  }
  return [...names];
}

export function toOrganisation(raw: unknown): NexusOrganisation {
  const o = asRecord(raw, 'organisation');
  const id = idOf(o, 'organisation');
  return { id, name: str(o, 'name', `organisation ${id}`) };
}

/** Only relations in force today count (Nexus keeps ended ones in the list). */
export function isRelationInForce(raw: unknown): boolean {
  return isRecord(raw) && raw.effectiveAtPresent !== false;
}

export function toRelation(raw: unknown, citizenId: number, removeHref: string | undefined, selfHref?: string): NexusRelation {
  const r = asRecord(raw, 'organisation relation');
  const id = idOf(r, 'organisation relation');
  return {
    id,
    citizenId,
    organisation: toOrganisation(r.organization),
    ...(removeHref ? { removeHref } : {}),
    ...(selfHref ? { selfHref } : {}),
  };
}

/** Same-name test Nexus clients use for organisations and types: trimmed, case- and space-insensitive. */
export function sameName(a: unknown, b: string): boolean {
  const norm = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('da');
  return typeof a === 'string' && norm(a) === norm(b);
}

/**
 * What an error body may contribute to an error message: Nexus's `reason` (a code-like word) when
 * present, otherwise its `message` / an OAuth `error`, or the first line of a plain-text body —
 * masked and cut short, because free text can echo input. HTML error pages say nothing useful.
 */
export function describeNexusBody(body: unknown): string | undefined {
  if (isRecord(body)) {
    if (typeof body.reason === 'string' && body.reason.trim()) return safeText(body.reason);
    if (typeof body.error === 'string' && body.error.trim()) return safeText(body.error);
    if (typeof body.message === 'string' && body.message.trim()) return safeText(body.message);
    return undefined;
  }
  if (typeof body === 'string' && body.trim()) {
    const text = body.trim();
    if (text.startsWith('<')) return 'html error page';
    return safeText(text.split(/\r?\n/)[0]);
  }
  return undefined;
}

function safeText(text: string): string {
  const masked = maskCpr(text).replace(/\d{6,}/g, '#');
  return masked.length > 80 ? `${masked.slice(0, 79)}…` : masked;
}

/**
 * Every form node of a citizen view's pathway tree, once per form: `type: "formDataV2Reference"`
 * (pathway references) or `patientActivityType: "formData"` (activity lists); deleted forms
 * (`formDataStatus: "DELETED"`) are left out.
 */
export function formReferenceNodes(tree: unknown): Wire[] {
  const out: Wire[] = [];
  const seen = new Set<unknown>();
  const walk = (node: unknown, depth: number): void => {
    if (depth > 50) throw badResponse('pathway tree is nested too deep');
    if (Array.isArray(node)) return node.forEach((n) => walk(n, depth + 1));
    if (!isRecord(node)) return;
    const isForm = node.type === 'formDataV2Reference' || node.patientActivityType === 'formData';
    if (isForm && node.formDataStatus !== 'DELETED') {
      const key = node.formDataId ?? node.id ?? out.length;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(node);
      }
    }
    if (Array.isArray(node.children)) walk(node.children, depth + 1);
  };
  walk(tree, 0);
  return out;
}
