import { childElements, refuse, XmlElement } from '../xml/safe-xml';
import { FHIR_NS } from './medcom-fhir.constants';

/**
 * FHIR resources read from JSON or XML into one shape, so readers need not care which arrived:
 * every property is a list; a primitive is its string value; a complex value is a node. Resources
 * carry `resourceType`. Narrative XHTML is not kept (nothing here needs it).
 */
export type FhirValue = string | FhirNode;
export interface FhirNode {
  [key: string]: FhirValue[];
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function fromFhirJson(json: unknown, depth = 0): FhirNode {
  if (depth > 100) throw refuse('RECEIPT_MALFORMED', 'JSON nested too deeply');
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw refuse('RECEIPT_MALFORMED', 'a FHIR resource must be a JSON object');
  const out: FhirNode = Object.create(null);
  for (const [key, raw] of Object.entries(json as Record<string, unknown>)) {
    if (FORBIDDEN_KEYS.has(key) || key.startsWith('_')) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    out[key] = values
      .filter((v) => v !== null && v !== undefined)
      .map((v) => (key === 'div' ? '' : typeof v === 'object' ? fromFhirJson(v, depth + 1) : String(v)));
  }
  return out;
}

/** A FHIR XML document's root (already namespace-checked by the caller) → node. */
export function fromFhirXml(root: XmlElement): FhirNode {
  if (root.ns !== FHIR_NS) throw refuse('RECEIPT_NAMESPACE', `FHIR XML must be in namespace ${FHIR_NS}`);
  const node = element(root) as FhirNode;
  node.resourceType = [root.name];
  return node;
}

function element(el: XmlElement): FhirValue {
  const kids = childElements(el);
  if ('value' in el.attrs && kids.length === 0) return el.attrs.value;
  const out: FhirNode = Object.create(null);
  for (const [k, v] of Object.entries(el.attrs)) if (!FORBIDDEN_KEYS.has(k)) out[k] = [v];
  for (const kid of kids) {
    if (FORBIDDEN_KEYS.has(kid.name)) continue;
    let value: FhirValue;
    if (kid.name === 'div') value = '';
    else if (kid.name === 'resource' || kid.name === 'contained') {
      const [res] = childElements(kid);
      if (!res) throw refuse('RECEIPT_MALFORMED', `empty <${kid.name}>`);
      value = element(res) as FhirNode;
      (value as FhirNode).resourceType = [res.name];
    } else value = element(kid);
    (out[kid.name] ??= []).push(value);
  }
  return out;
}

// ---- reading ----

/** All values at a dotted path, e.g. values(bundle, 'entry.resource'). */
export function values(node: FhirNode | undefined, path: string): FhirValue[] {
  let current: FhirValue[] = node ? [node] : [];
  for (const key of path.split('.')) {
    current = current.flatMap((v) => (typeof v === 'string' ? [] : (v[key] ?? [])));
  }
  return current;
}

export function nodes(node: FhirNode | undefined, path: string): FhirNode[] {
  return values(node, path).filter((v): v is FhirNode => typeof v !== 'string');
}

/** The first string at the path ('' when absent). A primitive with extensions keeps its value under "value". */
export function str(node: FhirNode | undefined, path: string): string {
  for (const v of values(node, path)) {
    if (typeof v === 'string') return v;
    const inner = v.value?.[0];
    if (typeof inner === 'string') return inner;
  }
  return '';
}

export function resourceType(node: FhirNode | undefined): string {
  return str(node, 'resourceType');
}

/** Bundle entries' resources, in order. */
export function entryResources(bundle: FhirNode): FhirNode[] {
  return nodes(bundle, 'entry.resource');
}

/** The bundle entry a relative reference ("Organization/abc") points to. */
export function resolveReference(bundle: FhirNode, reference: string): FhirNode | undefined {
  const [type, id] = reference.split('/');
  return entryResources(bundle).find((r) => resourceType(r) === type && str(r, 'id') === id);
}
