import { formatNexusDate } from '../nexus.dates';
import type { NexusSandboxState, SandboxCitizen, SandboxForm, SandboxRelation, SandboxTask, TaskObject } from './nexus-sandbox.state';

/**
 * Which public client's view of Nexus the simulator answers in (SANDBOX_NEXUS_DIALECT):
 * - `kmd`: pathway nodes named like the form title, `_links.referencedObject` → the form; drafts "Kladde".
 * - `odense`: nodes carry the title only under `formDefinition.title` and link the form by `self`
 *   (odense-rpa/nexus-client `client.py` hent_fra_reference); drafts are "Aktivt"; relations list no
 *   `removeFromPatient` (re-read through the relation's `self`, `organisationer.py`).
 * - `nyborg`: node `self` → a reference document whose `_links.referenceObject` is the form
 *   (nyborg-rpa `scripts/nexus/close_patient_documents.py`); forms have `required` items.
 */
export const NEXUS_DIALECTS = ['kmd', 'odense', 'nyborg'] as const;
export type NexusDialect = (typeof NEXUS_DIALECTS)[number];

/** The draft workflow state each dialect's seed notes are in. */
export function dialectDraftState(dialect: NexusDialect, configured: string): string {
  return dialect === 'odense' ? 'Aktivt' : configured;
}

/** Items a dialect marks `required` (Nexus refuses to lock a form while they are empty). */
export const NYBORG_REQUIRED_ITEMS = ['Konklusion og aftaler'];

/**
 * Renders sandbox state in the JSON shapes public Nexus clients read (INTEGRATIONS.md §1): HAL
 * `_links`, dates as `…+0000`, `workflowState{id,name}`, items `{id,type,label,value}`. Hrefs mix
 * absolute URLs (as Nexus returns for list pages) and root-relative ones so clients must handle both.
 */
export class NexusWire {
  constructor(
    private readonly state: NexusSandboxState,
    /** e.g. /api/core/mobile/solhoej/v2 */
    readonly basePath: string,
    /** Absolute origin as the caller reached us (from the Host header). */
    private readonly origin: string,
    readonly dialect: NexusDialect = 'kmd',
  ) {}

  private rel(path: string): { href: string } {
    return { href: `${this.basePath}/${path}` };
  }

  private abs(path: string): { href: string } {
    return { href: `${this.origin}${this.basePath}/${path}` };
  }

  home() {
    return {
      _links: {
        self: this.abs(''),
        preferences: this.abs('preferences'),
        patients: this.abs('patients'),
        organizations: this.rel('organizations'),
      },
    };
  }

  preferences() {
    return { CITIZEN_LIST: this.citizenLists() };
  }

  citizenLists() {
    return this.state.lists.map((l) => ({
      id: l.id,
      name: l.name,
      type: 'CITIZEN_LIST',
      _links: { self: this.rel(`preferences/CITIZEN_LIST/${l.id}`) },
    }));
  }

  citizenList(l: { id: number; name: string }) {
    return {
      id: l.id,
      name: l.name,
      _links: { self: this.rel(`preferences/CITIZEN_LIST/${l.id}`), content: this.rel(`preferences/CITIZEN_LIST/${l.id}/content`) },
    };
  }

  listContent(ids: number[], pageSize: number) {
    const pages = [];
    for (let i = 0; i < ids.length; i += pageSize) {
      pages.push({ _links: { patientData: this.abs(`patients?ids=${ids.slice(i, i + pageSize).join(',')}`) } });
    }
    return { totalItems: ids.length, pageSize, pages };
  }

  patientSummary(c: SandboxCitizen) {
    return { id: c.id, fullName: fullName(c), patientIdentifier: identifier(c), _links: { self: this.abs(`patients/${c.id}`) } };
  }

  patient(c: SandboxCitizen) {
    const p = `patients/${c.id}`;
    return {
      id: c.id,
      version: 1,
      firstName: c.firstName,
      lastName: c.lastName,
      fullName: fullName(c),
      patientIdentifier: identifier(c),
      _links: {
        self: this.abs(p),
        patientPreferences: this.rel(`${p}/preferences`),
        patientOrganizations: this.rel(`${p}/organizations`),
        patientConditions: this.rel(`${p}/conditions`),
        availableAssignmentTypes: this.rel(`${p}/availableAssignmentTypes`),
        activeAssignments: this.rel(`${p}/activeAssignments`),
      },
    };
  }

  patientPreferences(c: SandboxCitizen) {
    const views = [this.state.names.citizenView, '-Aktive forløb'];
    return {
      CITIZEN_PATHWAY: views.map((name, i) => ({
        id: i + 1,
        name,
        _links: { self: this.rel(`patients/${c.id}/preferences/CITIZEN_PATHWAY/${i + 1}`) },
      })),
    };
  }

  citizenView(c: SandboxCitizen, viewId: number, name: string) {
    const p = `patients/${c.id}/preferences/CITIZEN_PATHWAY/${viewId}`;
    return { id: viewId, name, _links: { self: this.rel(p), pathwayReferences: this.rel(`${p}/references`) } };
  }

  /** The "- Alt" view's tree: Overblik → case → the citizen's forms. */
  pathwayReferences(c: SandboxCitizen) {
    const forms = this.state.formsOf(c.id).map((f) => this.formNode(f));
    return [
      {
        type: 'patientPathwayReference',
        id: 300_000 + c.id,
        name: 'Overblik: Myndighed - Ældre',
        children: [{ type: 'patientPathwayReference', id: 310_000 + c.id, name: 'Omsorg, pleje og træning m.v.', children: forms }],
      },
    ];
  }

  /** One form's pathway node, in the dialect's spelling. */
  formNode(f: SandboxForm) {
    const common = {
      type: 'formDataV2Reference',
      id: 400_000 + f.id,
      date: formatNexusDate(f.observationMs),
      formDataId: f.id,
      workflowState: { id: f.stateId, name: this.state.stateName(f.stateId) },
      children: [],
    };
    if (this.dialect === 'odense') {
      // The node's own name is a display text; the title is only under formDefinition; `self` is the form.
      return {
        ...common,
        name: 'Skema',
        formDefinition: { id: definitionId(f.formTitle), title: f.formTitle },
        _links: { self: this.rel(`formData/${f.id}`) },
      };
    }
    if (this.dialect === 'nyborg') {
      return { ...common, name: f.formTitle, _links: { self: this.rel(`pathwayReferences/${400_000 + f.id}`) } };
    }
    return { ...common, name: f.formTitle, locked: this.state.isLocked(f), _links: { referencedObject: this.rel(`formData/${f.id}`) } };
  }

  /** Nyborg's reference document behind a node's `self`: it names the form through `referenceObject`. */
  referenceDocument(f: SandboxForm) {
    return {
      id: 400_000 + f.id,
      name: f.formTitle,
      type: 'formDataV2Reference',
      _links: { self: this.rel(`pathwayReferences/${400_000 + f.id}`), referenceObject: this.rel(`formData/${f.id}`) },
    };
  }

  conditions(c: SandboxCitizen) {
    return c.conditions.map((name, i) => ({ id: c.id * 10 + i, name, state: { code: 'PCActive', name: 'Aktiv' } }));
  }

  relation(r: SandboxRelation) {
    const org = this.state.orgs.get(r.orgId);
    return {
      id: r.id,
      organization: { id: r.orgId, name: org?.name ?? '' },
      effectiveStartDate: formatNexusDate(r.startMs),
      effectiveEndDate: r.endMs === undefined ? null : formatNexusDate(r.endMs),
      effectiveAtPresent: r.endMs === undefined,
      primaryOrganization: false,
      _links: {
        self: this.rel(`patientOrganizations/${r.id}`),
        ...(r.endMs === undefined ? { removeFromPatient: this.rel(`patientOrganizations/${r.id}`) } : {}),
      },
    };
  }

  /** A relation as the citizen's list shows it: Odense's instance leaves `removeFromPatient` to the relation's own `self`. */
  listedRelation(r: SandboxRelation) {
    const full = this.relation(r);
    if (this.dialect !== 'odense') return full;
    return { ...full, _links: { self: full._links.self } };
  }

  organizations() {
    return [...this.state.orgs.values()].map((o) => ({
      id: o.id,
      name: o.name,
      active: true,
      _links: { self: this.rel(`organizations/${o.id}`) },
    }));
  }

  form(f: SandboxForm) {
    const p = `formData/${f.id}`;
    return {
      id: f.id,
      version: f.version,
      formDefinition: { id: definitionId(f.formTitle), title: f.formTitle },
      patient: { id: f.citizenId },
      observationTimestamp: formatNexusDate(f.observationMs),
      createDate: formatNexusDate(f.createMs),
      updateDate: formatNexusDate(f.updateMs),
      workflowState: { id: f.stateId, name: this.state.stateName(f.stateId) },
      locked: this.state.isLocked(f),
      items: f.items.map((i) => ({
        ...i,
        value: typeof i.value === 'object' && i.value ? { ...i.value } : i.value,
        ...(this.dialect === 'nyborg' && NYBORG_REQUIRED_ITEMS.includes(i.label) ? { required: true } : {}),
      })),
      tags: f.tags.map((name) => ({ id: definitionId(name), name, active: true })),
      _links: {
        self: this.rel(p),
        availableActions: this.rel(`${p}/availableActions`),
        availableAssignmentTypes: this.rel(`${p}/availableAssignmentTypes`),
        activeAssignments: this.rel(`${p}/activeAssignments`),
      },
    };
  }

  /** A locked form offers no actions; otherwise one per workflow state, each saving into that state. */
  availableActions(f: SandboxForm) {
    if (this.state.isLocked(f)) return [];
    return this.state.states.map((s) => ({
      id: s.id,
      name: s.name,
      _links: { updateFormData: this.rel(`formData/${f.id}/actions/${s.id}`) },
    }));
  }

  assignmentTypes(o: TaskObject) {
    return this.state.taskTypes.map((t) => ({
      id: t.id,
      name: t.name,
      _links: { assignmentPrototype: this.rel(`assignments/prototype?objectType=${o.type}&objectId=${o.id}&assignmentTypeId=${t.id}`) },
    }));
  }

  assignmentPrototype(o: TaskObject, type: { id: number; name: string }) {
    return {
      id: null,
      title: null,
      description: null,
      startDate: null,
      dueDate: null,
      organizationAssignee: null,
      professionalAssignee: null,
      assignmentType: { id: type.id, name: type.name },
      actions: [
        {
          name: 'Opret',
          _links: { createAssignment: this.rel(`assignments?objectType=${o.type}&objectId=${o.id}&assignmentTypeId=${type.id}`) },
        },
      ],
      _links: { availableOrganizationAssignees: this.rel('assignments/organizationAssignees') },
    };
  }

  organizationAssignees() {
    return [...this.state.orgs.values()].map((o) => ({ id: o.id, name: o.name }));
  }

  assignment(t: SandboxTask) {
    const type = this.state.taskTypes.find((x) => x.id === t.typeId);
    return {
      id: t.id,
      title: t.title,
      description: t.description,
      startDate: t.startDate,
      dueDate: t.dueDate,
      assignmentType: type ? { id: type.id, name: type.name } : null,
      organizationAssignee: { organizationId: t.orgId, displayName: this.state.orgs.get(t.orgId)?.name ?? '' },
      workflowState: { name: 'Aktiv' },
      _links: { self: this.rel(`assignments/${t.id}`) },
    };
  }
}

function fullName(c: SandboxCitizen): string {
  return `${c.firstName} ${c.lastName}`;
}

function identifier(c: SandboxCitizen) {
  return { identifier: `${c.cpr.slice(0, 6)}-${c.cpr.slice(6)}`, type: 'cpr' };
}

/** Stable small ids for names (form definitions, tags) without a registry. */
function definitionId(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) % 100_000;
  return h + 1;
}
