import axios, { AxiosInstance, AxiosRequestConfig } from 'axios';
import { createHash } from 'node:crypto';
import { EdocCodeLists } from '../../adapters/edoc/edoc.code-lists';
import { buildRequestEnvelope, EdocOperation, readResult, soapAction } from '../../adapters/edoc/edoc.envelope';
import {
  buildCreateDocument,
  buildSearchCaseFile,
  buildSearchDocument,
  parseInner,
  readCaseFiles,
  readCreatedDocument,
  readDocuments,
} from '../../adapters/edoc/edoc.mapper';
import { optionalLink, requireLink } from '../../adapters/nexus/nexus.links';
import {
  asArray,
  asRecord,
  formReferenceNodes,
  sameName,
  toCitizenIdentity,
  toNote,
  Wire,
  workflowStateName,
} from '../../adapters/nexus/nexus.mapper';
import type { NexusCitizenIdentity, NexusNote } from '../../adapters/nexus/nexus.port';
import { ORGANISATIONS_FRESH_MS, TASK_NAVIGATION_MS } from '../../adapters/nexus/nexus.client';
import { SHARED_READ_MS } from '../../src/workflows/after-meeting/after-meeting.flow';
import { Semaphore } from '../../adapters/shared/semaphore';
import type { AppConfig } from '../../src/config/config.schema';
import { RecentReads } from '../../src/common/recent-reads';

/**
 * The bare baseline's HTTP: plain axios with the same concurrency bound per system as the adapters
 * (a semaphore), and nothing else: no breaker, no metrics, no retries, no error classification.
 * It speaks the same wire protocol (the adapters' pure builders and parsers are reused, so request
 * and response bodies are the same size) and walks the same links, so it makes the same calls.
 */
class BareHttp {
  private readonly limit: Semaphore;

  constructor(
    private readonly http: AxiosInstance,
    concurrency: number,
  ) {
    this.limit = new Semaphore(concurrency);
  }

  async request<T>(config: AxiosRequestConfig): Promise<T> {
    return this.limit.run(async () => {
      const res = await this.http.request({ validateStatus: () => true, ...config });
      if (res.status < 200 || res.status >= 300)
        throw new Error(`bare ${config.method} ${String(config.url).split('?')[0]} answered ${res.status}`);
      return res.data as T;
    });
  }
}

export interface BareTask {
  title: string;
  description: string;
  dueDate: string;
  organisationName: string;
  typeName: string;
}

/** Nexus over HAL, following links from the home resource exactly as NexusClient does. */
export class BareNexus {
  private readonly http: BareHttp;
  private readonly base: URL;
  private token?: { value: string; renewAt: number };
  private tokenInFlight?: Promise<string>;
  private readonly formHrefs = new Map<number, string>();
  private readonly patientHrefs = new Map<number, string>();
  private home?: Wire;
  // The same windows as the client's and the steps' shared reads (RecentReads, as they use it).
  private readonly orgs = new RecentReads<Wire>({ windowMs: ORGANISATIONS_FRESH_MS, max: 1, now: Date.now });
  private readonly citizens = new RecentReads<NexusCitizenIdentity>({ windowMs: SHARED_READ_MS, max: 5_000, now: Date.now });
  private readonly navigation = new RecentReads<Wire>({ windowMs: TASK_NAVIGATION_MS, max: 5_000, now: Date.now });

  constructor(private readonly config: AppConfig) {
    this.http = new BareHttp(axios.create({ timeout: config.NEXUS_TIMEOUT_MS }), config.NEXUS_CONCURRENCY);
    this.base = new URL(config.NEXUS_BASE_URL!);
  }

  /** Locked tagged notes of the district's citizen list: list → pages → citizens → view → forms. */
  async lockedNotes(listName: string, viewName: string, formTitle: string, lockedState: string): Promise<NexusNote[]> {
    const home = await this.get(this.base.toString());
    this.home = home;
    const prefs = asRecord(await this.get(requireLink(home, 'preferences', 'home')), 'preferences');
    const listRef = asArray(prefs.CITIZEN_LIST, 'lists').find((l) => sameName((l as Wire).name, listName));
    const list = await this.get(requireLink(listRef, 'self', 'list'));
    const content = asRecord(await this.get(requireLink(list, 'content', 'list')), 'content');
    const hrefs = asArray(content.pages ?? [], 'pages').flatMap((p) => idBatches(this.resolve(requireLink(p, 'patientData', 'page')), 50));
    const summaries = (await Promise.all(hrefs.map(async (h) => asArray(await this.get(h), 'patients')))).flat() as Wire[];
    const perCitizen = await Promise.all(
      summaries.map(async (summary) => {
        const citizenId = summary.id as number;
        const self = requireLink(summary, 'self', 'summary');
        this.patientHrefs.set(citizenId, self);
        const patient = optionalLink(summary, 'patientPreferences') ? summary : await this.get(self);
        const pp = asRecord(await this.get(requireLink(patient, 'patientPreferences', 'patient')), 'patient preferences');
        const viewRef = asArray(pp.CITIZEN_PATHWAY ?? [], 'views').find((v) => sameName((v as Wire).name, viewName));
        const view = await this.get(requireLink(viewRef, 'self', 'view'));
        const tree = await this.get(requireLink(view, 'pathwayReferences', 'view'));
        const nodes = formReferenceNodes(tree).filter((n) => mayBeLockedForm(n, formTitle, lockedState));
        return Promise.all(
          nodes.map(async (node) => {
            const form = await this.get(requireLink(node, 'referencedObject', 'node'));
            this.formHrefs.set(form.id as number, requireLink(form, 'self', 'form'));
            return toNote(form, { lockedState, citizenId });
          }),
        );
      }),
    );
    return perCitizen.flat().filter((n) => n.locked);
  }

  /**
   * An organisation by name, as NexusClient.findOrganisation does: the home resource's list, read at
   * most once per ORGANISATIONS_FRESH_MS, searched by name.
   */
  async findOrganisation(name: string): Promise<string | null> {
    const list = await this.orgs.get('organizations', () => this.get(requireLink(this.home, 'organizations', 'home')));
    const orgs = asArray(list, 'organizations') as Wire[];
    const found = orgs.find((o) => sameName(o.name, name));
    return found ? String(found.name) : null;
  }

  /** A note's form by its self link; kept for the note's tasks, as the client keeps the step's read. */
  async form(noteId: number): Promise<Wire> {
    const form = await this.get(this.formHrefs.get(noteId)!);
    this.navigation.keep(`form:${noteId}`, Promise.resolve(form));
    return form;
  }

  /** A citizen's identity, one read shared by a note's filing and letter within SHARED_READ_MS (as the steps share it). */
  async citizen(citizenId: number): Promise<NexusCitizenIdentity> {
    return this.citizens.get(String(citizenId), async () => toCitizenIdentity(await this.get(this.patientHrefs.get(citizenId)!)));
  }

  /** Object → assignment types → prototype → assignees → POST: the protocol's task creation. */
  async createTask(noteId: number, t: BareTask, startDate: string): Promise<number> {
    // As NexusClient's task navigation: the form and each GET on the way shared within TASK_NAVIGATION_MS.
    const object = await this.navigation.get(`form:${noteId}`, () => this.form(noteId));
    const nav = (href: string) => this.navigation.get(`get:${this.resolve(href)}`, () => this.get(href));
    const type = asArray(await nav(requireLink(object, 'availableAssignmentTypes', 'form')), 'types').find((x) =>
      sameName((x as Wire).name, t.typeName),
    );
    const prototype = await nav(requireLink(type, 'assignmentPrototype', 'type'));
    const assignees = asArray(await nav(requireLink(prototype, 'availableOrganizationAssignees', 'prototype')), 'assignees') as Wire[];
    const org = assignees.find((x) => sameName(x.name, t.organisationName))!;
    const action = asArray(prototype.actions, 'actions').find((a) => (a as Wire).name === 'Opret');
    const created = await this.send<Wire>('POST', requireLink(action, 'createAssignment', 'action'), {
      ...prototype,
      object,
      title: t.title,
      description: t.description,
      startDate,
      dueDate: t.dueDate,
      organizationAssignee: { organizationId: org.id, displayName: org.name },
    });
    return created.id as number;
  }

  private resolve(href: string): string {
    return new URL(href, this.base).toString();
  }

  private async get(href: string): Promise<Wire> {
    return this.send<Wire>('GET', href);
  }

  private async send<T>(method: string, href: string, data?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${await this.bearer()}` };
    if (data !== undefined) headers['Content-Type'] = 'application/json';
    return this.http.request<T>({ method, url: this.resolve(href), data, headers });
  }

  /** One token, renewed at 90 % of its lifetime like the adapter (so both make the same token calls). */
  private async bearer(): Promise<string> {
    if (this.token && Date.now() < this.token.renewAt) return this.token.value;
    this.tokenInFlight ??= (async () => {
      const started = Date.now();
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.config.NEXUS_CLIENT_ID!,
        client_secret: this.config.NEXUS_CLIENT_SECRET!,
      });
      const body = await this.http.request<{ access_token: string; expires_in: number }>({
        method: 'POST',
        url: this.config.NEXUS_TOKEN_URL,
        data: form.toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      });
      this.token = { value: body.access_token, renewAt: started + body.expires_in * 900 };
      return body.access_token;
    })().finally(() => {
      this.tokenInFlight = undefined;
    });
    return this.tokenInFlight;
  }
}

/** eDoc over SOAP: find the citizen's case by CPR, upload the document. */
export class BareEdoc {
  private readonly http: BareHttp;

  constructor(
    private readonly config: AppConfig,
    private readonly codes: EdocCodeLists,
  ) {
    this.http = new BareHttp(
      axios.create({ timeout: config.EDOC_TIMEOUT_MS, auth: { username: config.EDOC_USER!, password: config.EDOC_PASSWORD! } }),
      config.EDOC_CONCURRENCY,
    );
  }

  async caseOf(cpr: string): Promise<string> {
    const inner = await this.call(
      'SearchCaseFile',
      buildSearchCaseFile(
        {
          value: this.config.EDOC_USER_IDENTIFIER,
          ns: this.config.EDOC_SEARCH_USER_ID_NS,
          position: this.config.EDOC_SEARCH_USER_ID_POSITION,
        },
        { element: this.config.EDOC_CPR_SEARCH_FIELD, value: cpr },
      ),
    );
    return readCaseFiles(inner)[0].caseFileIdentifier;
  }

  async upload(caseRef: string, sourceId: string, title: string, date: string, pdf: Buffer): Promise<string> {
    // The same title reference DocumentJournal adds, so the request is the same size.
    const ref = `tsm:${sourceId}.meeting-note.${createHash('sha256').update(pdf).digest('hex').slice(0, 8)}`;
    const inner = await this.call(
      'CreateDocumentAndDocumentVersion',
      buildCreateDocument(this.config.EDOC_USER_IDENTIFIER, {
        caseFileIdentifier: caseRef,
        title: `${title} [${ref}]`,
        documentTypeCode: this.codes.documentType(this.config.EDOC_DOCUMENT_TYPE),
        date,
        summary: `Journaliseret af tsm-bridge (${sourceId})`,
        statusCode: this.codes.documentStatus(this.config.EDOC_DOCUMENT_STATUS),
        archiveFormatCode: this.codes.archiveFormat('PDF'),
        contents: pdf,
      }),
    );
    const created = readCreatedDocument(inner);
    // Like EdocClient: the public create answer carries the id only, so the document's own link
    // (Links.OpenDocument, kept in the audit) costs one SearchDocument by id when it is missing.
    if (!created.openLink && this.config.EDOC_OPEN_LINK_LOOKUP) {
      const found = await this.call(
        'SearchDocument',
        buildSearchDocument(this.searchUser(), { documentIdentifier: created.documentIdentifier! }),
      );
      readDocuments(found);
    }
    return created.documentIdentifier!;
  }

  private searchUser() {
    return {
      value: this.config.EDOC_USER_IDENTIFIER,
      ns: this.config.EDOC_SEARCH_USER_ID_NS,
      position: this.config.EDOC_SEARCH_USER_ID_POSITION,
    };
  }

  private async call(op: EdocOperation, innerXml: string): Promise<Record<string, unknown>> {
    const text = await this.http.request<string>({
      method: 'POST',
      url: this.config.EDOC_URL,
      data: buildRequestEnvelope(op, innerXml),
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: soapAction(op) },
      responseType: 'text',
      transformResponse: (b: unknown) => b,
    });
    return parseInner(readResult(op, String(text))!);
  }
}

function mayBeLockedForm(node: Wire, formTitle: string, lockedState: string): boolean {
  const named = typeof node.name !== 'string' || sameName(node.name, formTitle) || node.name.trim().startsWith(formTitle.trim());
  if (!named) return false;
  if (node.locked === true) return true;
  const state = workflowStateName(node);
  return state !== undefined ? state === lockedState : node.locked === undefined;
}

function idBatches(href: string, max: number): string[] {
  const url = new URL(href);
  const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
  if (ids.length <= max) return [href];
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += max) {
    const u = new URL(href);
    u.searchParams.delete('ids');
    u.search = `${u.search ? `${u.search.slice(1)}&` : ''}ids=${ids.slice(i, i + max).join(',')}`;
    out.push(u.toString());
  }
  return out;
}
