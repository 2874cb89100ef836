import type { Seed } from '../../../schemas/sandbox-seed.schema';
import { parseNexusDate } from '../nexus.dates';
import { tagMatch } from '../../../src/domain/tags';

/**
 * The Nexus simulator's world, in memory: citizens, organisations and relations, forms (notes)
 * with versions and workflow states, assignments (tasks). Pure state and rules; the HTTP layer
 * renders it in Nexus's wire shapes.
 */
export interface SandboxNames {
  /** Citizen list of citizens without a district (or in the first district). */
  citizenList: string;
  citizenView: string;
  /** A citizen is on its district's list when it has a note with this title and tag. */
  formTitle: string;
  tag: string;
  /** Form item the agenda writes the time into; every form of the title has it. */
  timeItemLabel: string;
  lockedState: string;
  draftState: string;
  /** Assignment types offered on notes and citizens. */
  taskTypes: string[];
}

export type ItemValue = string | { id: number; name: string } | null;

export interface SandboxItem {
  id: number;
  type: 'text' | 'radioGroup';
  label: string;
  value: ItemValue;
}

export interface SandboxForm {
  id: number;
  version: number;
  citizenId: number;
  formTitle: string;
  tags: string[];
  observationMs: number;
  createMs: number;
  updateMs: number;
  stateId: number;
  items: SandboxItem[];
}

export interface SandboxCitizen {
  id: number;
  cpr: string;
  firstName: string;
  lastName: string;
  conditions: string[];
  listId: number;
}

export interface SandboxRelation {
  id: number;
  citizenId: number;
  orgId: number;
  startMs: number;
  endMs?: number;
}

export type TaskObject = { type: 'formData' | 'patients'; id: number };

export interface SandboxTask {
  id: number;
  object: TaskObject;
  typeId: number;
  title: string;
  description: string;
  startDate: string | null;
  dueDate: string | null;
  orgId: number;
  createMs: number;
}

/** A failed rule: the HTTP layer answers with this status and Nexus-style {message, reason}. */
export class SandboxRefusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const YES_NO = [
  { id: 1, name: 'Ja' },
  { id: 2, name: 'Nej' },
];

export class NexusSandboxState {
  readonly orgs = new Map<number, { id: number; name: string }>();
  readonly citizens = new Map<number, SandboxCitizen>();
  readonly forms = new Map<number, SandboxForm>();
  readonly relations = new Map<number, SandboxRelation>();
  readonly tasks = new Map<number, SandboxTask>();
  readonly lists: Array<{ id: number; name: string }> = [];
  readonly states: Array<{ id: number; name: string }> = [];
  readonly taskTypes: Array<{ id: number; name: string }>;
  private nextRelationId = 70_001;
  private nextTaskId = 90_001;

  constructor(
    seed: Seed,
    readonly names: SandboxNames,
    /** District (id or name, case-insensitive) → citizen list name, for seeds with several districts. */
    districtLists: Record<string, string>,
    private readonly now: () => number,
  ) {
    for (const s of [names.draftState, 'Aktiv', names.lockedState]) this.stateId(s);
    this.taskTypes = names.taskTypes.map((name, i) => ({ id: i + 1, name }));
    for (const o of seed.organizations) this.orgs.set(o.id, { id: o.id, name: o.name });
    const lists = new Map(Object.entries(districtLists).map(([k, v]) => [k.toLocaleLowerCase('da'), v]));
    const firstDistrict = seed.citizens.find((c) => c.district)?.district?.toLocaleLowerCase('da');
    for (const c of seed.citizens) {
      const district = c.district?.toLocaleLowerCase('da');
      const listName =
        district === undefined || district === firstDistrict
          ? (lists.get(district ?? '') ?? names.citizenList)
          : (lists.get(district) ?? `${names.citizenList} – ${c.district}`);
      this.citizens.set(c.id, {
        id: c.id,
        cpr: c.cpr,
        firstName: c.firstName,
        lastName: c.lastName,
        conditions: c.conditions,
        listId: this.listId(listName),
      });
      const start = this.now() - 400 * 86_400_000;
      for (const orgId of c.organizations) {
        if (!this.orgs.has(orgId)) throw new Error(`seed citizen ${c.id}: unknown organisation ${orgId}`);
        this.relations.set(this.nextRelationId, { id: this.nextRelationId++, citizenId: c.id, orgId, startMs: start });
      }
      for (const n of c.notes) {
        const labels = Object.keys(n.items);
        if (n.formTitle === names.formTitle && !labels.includes(names.timeItemLabel)) labels.push(names.timeItemLabel);
        this.forms.set(n.id, {
          id: n.id,
          version: 1,
          citizenId: c.id,
          formTitle: n.formTitle,
          tags: n.tags,
          observationMs: parseNexusDate(n.observationTimestamp) as number,
          createMs: parseNexusDate(n.createDate) as number,
          updateMs: parseNexusDate(n.createDate) as number,
          // Seed notes say "Kladde"; a dialect whose drafts are called otherwise ("Aktivt") gets its own name.
          stateId: this.stateId(n.state === 'Kladde' ? names.draftState : n.state),
          items: labels.map((label, i) => makeItem(n.id * 100 + i, label, n.items[label] ?? '')),
        });
      }
    }
  }

  stateName(id: number): string {
    return this.states.find((s) => s.id === id)?.name ?? '';
  }

  isLocked(form: SandboxForm): boolean {
    return this.stateName(form.stateId) === this.names.lockedState;
  }

  /** Citizens on a list: in its district, with a note of the configured title and tag (the data list's filter; any spelling of the tag, as the seed's data list shows both). */
  listMembers(listId: number): SandboxCitizen[] {
    return [...this.citizens.values()].filter(
      (c) =>
        c.listId === listId &&
        [...this.forms.values()].some(
          (f) => f.citizenId === c.id && f.formTitle === this.names.formTitle && tagMatch(f.tags, this.names.tag) !== null,
        ),
    );
  }

  formsOf(citizenId: number): SandboxForm[] {
    return [...this.forms.values()].filter((f) => f.citizenId === citizenId);
  }

  relationsOf(citizenId: number): SandboxRelation[] {
    return [...this.relations.values()].filter((r) => r.citizenId === citizenId);
  }

  /** Saves a form through a workflow action: optimistic version check, then the new values and state. */
  updateForm(
    formId: number,
    actionStateId: number,
    body: { version?: unknown; items?: unknown },
    required: readonly string[] = [],
  ): SandboxForm {
    const form = this.requireForm(formId);
    if (this.isLocked(form)) throw new SandboxRefusal(400, 'FormLocked', 'The form is locked and cannot be changed');
    if (!this.states.some((s) => s.id === actionStateId)) throw new SandboxRefusal(404, 'NotFound', 'Unknown action');
    if (body.version !== form.version) {
      throw new SandboxRefusal(409, 'OptimisticLockException', 'Row was updated or deleted by another transaction');
    }
    const incoming = Array.isArray(body.items) ? body.items : [];
    const values = new Map<number, ItemValue>();
    for (const raw of incoming) {
      if (typeof raw !== 'object' || raw === null) continue;
      const { id, value } = raw as { id?: unknown; value?: unknown };
      const item = form.items.find((i) => i.id === id);
      if (!item) continue;
      values.set(item.id, checkValue(item, value));
    }
    const after = (item: SandboxItem) => (values.has(item.id) ? values.get(item.id) : item.value);
    // Nexus refuses to lock a form while a required item is empty (nyborg-rpa fills them first).
    if (this.stateName(actionStateId) === this.names.lockedState) {
      const empty = form.items.filter((i) => required.includes(i.label) && (after(i) === null || after(i) === ''));
      if (empty.length) throw new SandboxRefusal(400, 'RequiredItemsMissing', 'Required items are empty');
    }
    for (const item of form.items) if (values.has(item.id)) item.value = values.get(item.id) as ItemValue;
    form.stateId = actionStateId;
    this.touch(form);
    return form;
  }

  /** Another user saved the form meanwhile (what a 409 means in real life). */
  concurrentEdit(formId: number): void {
    this.touch(this.requireForm(formId));
  }

  /** "Holds the meeting": writes the conclusion items and saves the note as locked. */
  conclude(formId: number, items: Record<string, string>): SandboxForm {
    const form = this.requireForm(formId);
    if (this.isLocked(form)) throw new SandboxRefusal(409, 'AlreadyLocked', 'The note is already locked');
    for (const [label, value] of Object.entries(items)) {
      const item = form.items.find((i) => i.label === label);
      if (item) item.value = makeItem(item.id, label, value).value;
      else form.items.push(makeItem(form.id * 100 + form.items.length, label, value));
    }
    form.stateId = this.stateId(this.names.lockedState);
    this.touch(form);
    return form;
  }

  /** Takes a locked note back to draft, as an administrator does for a correction; locking it again makes a new version. */
  reopen(formId: number): SandboxForm {
    const form = this.requireForm(formId);
    if (!this.isLocked(form)) throw new SandboxRefusal(409, 'NotLocked', 'The note is not locked');
    form.stateId = this.stateId(this.names.draftState);
    this.touch(form);
    return form;
  }

  /** Adds the citizen to an organisation; an existing relation in force is returned as it is. */
  attach(citizenId: number, orgId: number): SandboxRelation {
    this.requireCitizen(citizenId);
    if (!this.orgs.has(orgId)) throw new SandboxRefusal(404, 'OrganizationNotFound', 'Organization not found');
    const existing = this.relationsOf(citizenId).find((r) => r.orgId === orgId && r.endMs === undefined);
    if (existing) return existing;
    const rel = { id: this.nextRelationId++, citizenId, orgId, startMs: this.now() };
    this.relations.set(rel.id, rel);
    return rel;
  }

  detach(relationId: number): void {
    const rel = this.relations.get(relationId);
    if (!rel || rel.endMs !== undefined) throw new SandboxRefusal(404, 'NotFound', 'Relation not found');
    rel.endMs = this.now();
  }

  createTask(object: TaskObject, typeId: number, body: Record<string, unknown>): SandboxTask {
    this.requireObject(object);
    if (!this.taskTypes.some((t) => t.id === typeId)) throw new SandboxRefusal(404, 'NotFound', 'Assignment type not found');
    const title = typeof body.title === 'string' ? body.title.trim() : '';
    const assignee = body.organizationAssignee as { organizationId?: unknown } | null | undefined;
    const orgId = typeof assignee?.organizationId === 'number' ? assignee.organizationId : NaN;
    const day = (v: unknown) =>
      v === null || v === undefined ? null : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined;
    const dueDate = day(body.dueDate);
    const startDate = day(body.startDate);
    if (!title || !this.orgs.has(orgId) || dueDate === undefined || startDate === undefined) {
      throw new SandboxRefusal(400, 'ValidationFailed', 'Title, organizationAssignee and valid dates are required');
    }
    const task: SandboxTask = {
      id: this.nextTaskId++,
      object,
      typeId,
      title,
      description: typeof body.description === 'string' ? body.description : '',
      startDate,
      dueDate,
      orgId,
      createMs: this.now(),
    };
    this.tasks.set(task.id, task);
    return task;
  }

  tasksOf(object: TaskObject): SandboxTask[] {
    return [...this.tasks.values()].filter((t) => t.object.type === object.type && t.object.id === object.id);
  }

  requireRelation(id: number): SandboxRelation {
    const r = this.relations.get(id);
    if (!r) throw new SandboxRefusal(404, 'NotFound', 'Relation not found');
    return r;
  }

  requireForm(id: number): SandboxForm {
    const f = this.forms.get(id);
    if (!f) throw new SandboxRefusal(404, 'NotFound', 'Form not found');
    return f;
  }

  requireCitizen(id: number): SandboxCitizen {
    const c = this.citizens.get(id);
    if (!c) throw new SandboxRefusal(404, 'NotFound', 'Patient not found');
    return c;
  }

  requireObject(o: TaskObject): void {
    if (o.type === 'formData') this.requireForm(o.id);
    else this.requireCitizen(o.id);
  }

  private touch(form: SandboxForm): void {
    form.version++;
    // Strictly increasing, so a cursor on updateDate never sees two saves at the same instant.
    form.updateMs = Math.max(this.now(), form.updateMs + 1);
  }

  private stateId(name: string): number {
    let s = this.states.find((x) => x.name === name);
    if (!s) {
      s = { id: this.states.length + 1, name };
      this.states.push(s);
    }
    return s.id;
  }

  private listId(name: string): number {
    let l = this.lists.find((x) => x.name === name);
    if (!l) {
      l = { id: this.lists.length + 1, name };
      this.lists.push(l);
    }
    return l.id;
  }
}

/** Ja/Nej answers are radio groups in Nexus forms (value `{id, name}`); everything else is text. */
function makeItem(id: number, label: string, text: string): SandboxItem {
  const choice = YES_NO.find((v) => v.name === text);
  return choice ? { id, type: 'radioGroup', label, value: { ...choice } } : { id, type: 'text', label, value: text };
}

function checkValue(item: SandboxItem, value: unknown): ItemValue {
  if (value === null || value === undefined) return null;
  if (item.type === 'text' && typeof value === 'string') return value;
  if (item.type === 'radioGroup' && typeof value === 'object') {
    const choice = YES_NO.find((v) => v.id === (value as { id?: unknown }).id || v.name === (value as { name?: unknown }).name);
    if (choice) return { ...choice };
  }
  throw new SandboxRefusal(400, 'InvalidItemValue', `Invalid value for item ${item.id}`);
}
