/**
 * Response bodies of KMD Nexus, written here (not copied) from the field names and shapes that
 * public municipal clients read. Each fixture names the public source it follows (repo:path); the
 * contract spec runs the real NexusClient over them with nock. Made-up ids, names and CPR numbers.
 *
 * Paths below are the fixtures' own: the client only follows the hrefs they hand out.
 */
export const NEXUS = 'https://contract.nexus.kmd.dk';
export const BASE = '/api/core/mobile/contract/v2';
export const IAM = 'https://iam.nexus.kmd.dk';
export const TOKEN = '/authx/realms/contract/protocol/openid-connect/token';
export const TITLE = 'Samlet faglig vurdering';
export const TAG = 'ÆS – Tværfagligt samarbejdsmøde';
export const LIST = 'Tværfagligt samarbejdsmøde – notater og aftaler';
export const VIEW = '- Alt';

const href = (path: string) => ({ href: `${BASE}/${path}` });

/**
 * Token answer. Source: odense-rpa/nexus-client kmd_nexus_client/client.py (authlib OAuth2Client
 * fetch_token against …/authx/realms/{instance}/protocol/openid-connect/token);
 * nyborg-rpa/nyborg-rpa src/nyborg_rpa/utils/nexus_client.py (same endpoint).
 */
export const token = { access_token: 'contract-token', expires_in: 300, token_type: 'Bearer' };

/** Home resource: `_links` by rel. Source: odense-rpa/nexus-client kmd_nexus_client/client.py (parse_links of the base URL). */
export const home = {
  _links: { self: href(''), preferences: href('preferences'), patients: href('patients'), organizations: href('organizations') },
};

/**
 * Preferences with the citizen lists; list → `content` → `pages[]._links.patientData`.
 * Source: odense-rpa/nexus-client kmd_nexus_client/functionality/aktivitetslister.py (preferences →
 * list by name → `_links.self` → `_links.content` → `pages`); nyborg-rpa/nyborg-rpa
 * src/nyborg_rpa/scripts/nexus/find_moved_patients_changes.py (citizen list pages' patientData).
 */
export const preferences = { CITIZEN_LIST: [{ id: 31, name: LIST, _links: { self: href('lists/31') } }] };
export const citizenList = { id: 31, name: LIST, _links: { self: href('lists/31'), content: href('lists/31/content') } };
export const listContent = (ids: number[]) => ({
  totalItems: ids.length,
  pages: [{ _links: { patientData: href(`patients?ids=${ids.join(',')}`) } }],
});

/**
 * Patient summaries and records. `isPatientAccessible` / `patientAccessible` as in
 * schmidtco/NexusAPIWrapper NexusAPIWrapper/…/PatientDetailsSearch_Root.cs and
 * odense-rpa/nexus-client kmd_nexus_client/functionality/borgere.py (hent_borger: false → no citizen).
 */
export const patientSummary = (id: number, over: Record<string, unknown> = {}) => ({
  id,
  fullName: `Borger ${id}`,
  patientIdentifier: { identifier: `010101-${String(id).padStart(4, '0').slice(-4)}`, type: 'cpr' },
  _links: { self: href(`patients/${id}`) },
  ...over,
});
export const patient = (id: number, over: Record<string, unknown> = {}) => ({
  ...patientSummary(id),
  firstName: 'Borger',
  lastName: String(id),
  _links: {
    self: href(`patients/${id}`),
    patientPreferences: href(`patients/${id}/preferences`),
    patientOrganizations: href(`patients/${id}/organizations`),
  },
  ...over,
});

/**
 * Citizen preferences → view by name → `pathwayReferences`. Source: odense-rpa/nexus-client
 * kmd_nexus_client/functionality/borgere.py (hent_visning, hent_referencer); the same walk from
 * `patient/{id}/preferences/` in nyborg-rpa/nyborg-rpa src/nyborg_rpa/scripts/nexus/close_patient_documents.py.
 */
export const patientPreferences = (id: number) => ({
  CITIZEN_PATHWAY: [{ id: 1, name: VIEW, _links: { self: href(`patients/${id}/views/1`) } }],
});
export const view = (id: number) => ({
  id: 1,
  name: VIEW,
  _links: { self: href(`patients/${id}/views/1`), pathwayReferences: href(`patients/${id}/views/1/references`) },
});

/** A pathway tree: grouping reference → child reference → form nodes. */
export const tree = (citizenId: number, nodes: unknown[]) => [
  {
    type: 'patientPathwayReference',
    id: 300_000 + citizenId,
    name: 'Overblik',
    children: [{ type: 'patientPathwayReference', id: 310_000 + citizenId, name: 'Forløb', children: nodes }],
  },
];

const nodeBase = (formId: number, state: string) => ({
  type: 'formDataV2Reference',
  id: 400_000 + formId,
  formDataId: formId,
  date: '2026-12-02T23:00:00.000+0000',
  workflowState: { id: 1, name: state },
  children: [],
});

/**
 * Node → form by `_links.referencedObject`, named like the form title.
 * Source: odense-rpa/nexus-client kmd_nexus_client/functionality/skemaer.py (hent_skema_fra_reference,
 * hent_skemareferencer: formDataId, name, date, workflowState.name).
 */
export const nodeReferencedObject = (formId: number, state = 'Kladde', title = TITLE) => ({
  ...nodeBase(formId, state),
  name: title,
  _links: { self: href(`references/${400_000 + formId}`), referencedObject: href(`forms/${formId}`) },
});

/**
 * Node → form by `_links.referenceObject` (that spelling). Source: nyborg-rpa/nyborg-rpa
 * src/nyborg_rpa/scripts/nexus/close_patient_documents.py (document["_links"]["referenceObject"]);
 * schmidtco/NexusAPIWrapper NexusAPIWrapper/HomeRessource/…/JournalNotes/ReferencedObject/ (node self → the referenced form).
 */
export const nodeReferenceObject = (formId: number, state = 'Kladde') => ({
  ...nodeBase(formId, state),
  name: TITLE,
  _links: { self: href(`references/${400_000 + formId}`), referenceObject: href(`forms/${formId}`) },
});

/**
 * Node with only `self`, which is the form itself. Source: odense-rpa/nexus-client
 * kmd_nexus_client/client.py (hent_fra_reference: referencedObject, else self).
 */
export const nodeSelfIsForm = (formId: number, state = 'Kladde') => ({
  ...nodeBase(formId, state),
  name: TITLE,
  _links: { self: href(`forms/${formId}`) },
});

/**
 * Node with only `self`, leading to a reference document whose `referenceObject` is the form.
 * Source: nyborg-rpa/nyborg-rpa src/nyborg_rpa/scripts/nexus/close_patient_documents.py (close_item:
 * item self → document → referenceObject).
 */
export const nodeSelfIsDocument = (formId: number, state = 'Kladde') => ({
  ...nodeBase(formId, state),
  name: TITLE,
  _links: { self: href(`references/${400_000 + formId}`) },
});
export const referenceDocument = (formId: number) => ({
  id: 400_000 + formId,
  name: TITLE,
  _links: { self: href(`references/${400_000 + formId}`), referenceObject: href(`forms/${formId}`) },
});

/**
 * Activity-list style node: title only under `formDefinition.title`, `patientActivityType`,
 * `formDataStatus`. Source: odense-rpa/tildeling-af-sygeplejeartikler-til-terminale-borgere main.py
 * (patientActivityType == "formData", formDefinition.title, formDataStatus != "DELETED", hent_fra_reference).
 */
export const nodeFormDefinitionTitle = (formId: number, title: string, over: Record<string, unknown> = {}) => ({
  ...nodeBase(formId, 'Aktivt'),
  name: 'Skema',
  patientActivityType: 'formData',
  formDataStatus: 'ACTIVE',
  formDefinition: { id: 17, title },
  _links: { self: href(`forms/${formId}`) },
  ...over,
});

/**
 * A form (formData). Source: schmidtco/NexusAPIWrapper NexusAPIWrapper/HomeRessource/…/FormDataPrototype/
 * (FormDataPrototype_Root.cs, _Item.cs, _FormDefinition.cs, _Links.cs); items `{id,type,label,value,required}`
 * and `possibleValues` as odense-rpa/nexus-client kmd_nexus_client/functionality/skemaer.py
 * (udfyld_skema_felter, _extract_form_fields) and nyborg-rpa close_patient_documents.py (required items) read them.
 */
export const form = (id: number, citizenId: number, over: Record<string, unknown> = {}) => ({
  id,
  version: 3,
  formDefinition: { id: 17, title: TITLE },
  patient: { id: citizenId },
  observationTimestamp: '2026-12-02T23:00:00.000+0000',
  createDate: '2026-11-23T08:15:00.000+0000',
  updateDate: '2026-12-03T12:00:00.000+0000',
  workflowState: { id: 1, name: 'Kladde' },
  items: [
    { id: 1, type: 'text', label: 'Konklusion og aftaler', value: null, required: true },
    { id: 2, type: 'text', label: 'Tidspunkt', value: null, required: false },
    {
      id: 3,
      type: 'radioGroup',
      label: 'Send til egen læge',
      value: null,
      possibleValues: [
        { id: 1, name: 'Ja' },
        { id: 2, name: 'Nej' },
      ],
    },
  ] as Array<Record<string, unknown>>,
  tags: [{ id: 7, name: TAG, active: true }],
  _links: { self: href(`forms/${id}`), availableActions: href(`forms/${id}/actions`) },
  ...over,
});

/**
 * Available actions, each saving into a workflow state through `updateFormData`. Source:
 * odense-rpa/nexus-client kmd_nexus_client/functionality/skemaer.py (rediger_skema; "Aktivt" as the
 * action name in opret_komplet_skema's example); nyborg-rpa close_patient_documents.py ("Inaktivt", "Låst").
 */
export const actions = (formId: number, names: string[]) =>
  names.map((name, i) => ({ id: i + 1, name, _links: { updateFormData: href(`forms/${formId}/actions/${i + 1}`) } }));

/**
 * A citizen's organisation relations; `removeFromPatient` may be missing from the list entry and is
 * then read from the relation's own `self`. Source: odense-rpa/nexus-client
 * kmd_nexus_client/functionality/organisationer.py (hent_organisationer_for_borger: effectiveAtPresent;
 * fjern_borger_fra_organisation: self re-fetch, then DELETE removeFromPatient).
 */
export const relationListed = (id: number, orgId: number, orgName: string) => ({
  id,
  organization: { id: orgId, name: orgName },
  effectiveAtPresent: true,
  primaryOrganization: false,
  _links: { self: href(`relations/${id}`) },
});
export const relationFull = (id: number, orgId: number, orgName: string) => ({
  ...relationListed(id, orgId, orgName),
  _links: { self: href(`relations/${id}`), removeFromPatient: href(`relations/${id}/remove`) },
});
