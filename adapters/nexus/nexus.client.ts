import type { AxiosResponse } from 'axios';
import type { AppConfig } from '../../src/config/config.schema';
import { errorCode, IntegrationError, PermanentError, RetryableError } from '../../src/common/errors';
import { callPurpose } from '../../src/common/call-purpose';
import { rootLogger } from '../../src/logging/logger';
import { nexusCalls } from '../../src/metrics/metrics';
import { tagMatch } from '../../src/domain/tags';
import { ResilientHttp, ResilientHttpOptions } from '../shared/resilient-http';
import { requestClientCredentialsToken, TokenCache } from './nexus.auth';
import { copenhagenDay, parseNexusDate } from './nexus.dates';
import { badResponse, isRecord, NEXUS_SYSTEM, NexusLinkResolver, optionalLink, requireLink } from './nexus.links';
import {
  activeTagNames, asArray, asRecord, describeNexusBody, formReferenceNodes, formTitle, idOf, isRelationInForce, sameName,
  setItemText, toCitizen, toCitizenIdentity, toNote, toOrganisation, toRelation, Wire, workflowStateName,
} from './nexus.mapper';
import type {
  CreateTaskInput, LockedNotesQuery, LockedNotesResult, MeetingNotesQuery, NexusCitizen, NexusCitizenIdentity, NexusNote, NexusOrganisation, NexusPort, NexusRelation,
  NoteWriteResult,
} from './nexus.port';

export interface NexusConnection {
  /** Home resource, e.g. https://{instance}.nexus.kmd.dk/api/core/mobile/{instance}/v2/ */
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/** Names that are local configuration in each municipality's Nexus. */
export interface NexusNames {
  citizenList: string;
  citizenView: string;
  timeItemLabel: string;
  lockedAction: string;
  /** Fallback path (relative to the home URL) of a form by id, for notes not reached through links yet. */
  formDataPath: string;
}

export interface NexusClientOptions {
  /** Absent until an endpoint is known: calls then fail with NEXUS_NOT_CONFIGURED instead of the boot. */
  connection?: NexusConnection;
  names: NexusNames;
  timeoutMs: number;
  concurrency: number;
  breaker?: ResilientHttpOptions['breaker'];
  /** Reads repeated after a retryable failure (5xx, timeout, network) before a call fails. */
  readRetries?: ResilientHttpOptions['readRetries'];
  /** Longest id list per `patients?ids=` call; longer URLs fail at Nexus. */
  maxIdsPerCall?: number;
  now?: () => number;
  /**
   * Wait before the home document is fetched again after it handed out a link that failed the
   * origin guard or was missing: doubles from baseMs per bad home up to maxMs.
   */
  homeRetry?: { baseMs: number; maxMs: number };
}

/** What readiness shows of a Nexus client's cached home document. */
export interface NexusHomeState {
  state: 'ok' | 'stale';
  /** Bad home documents in a row (link off-origin or missing). */
  failures: number;
  code?: string;
  /** When the home document is fetched again (ISO). */
  retryAt?: string;
}

/** Every live client's home state, so /health/ready can report a bad cached home document. */
const homeStates = new Set<() => NexusHomeState>();

/** The worst home state of the live clients: a stale one if any. */
export function nexusHomeState(): NexusHomeState | undefined {
  let out: NexusHomeState | undefined;
  for (const f of homeStates) {
    const s = f();
    if (!out || s.state === 'stale') out = s;
  }
  return out;
}

const HOME_ERRORS = new Set(['NEXUS_LINK_ORIGIN', 'NEXUS_BAD_RESPONSE']);

export function nexusClientOptions(config: AppConfig): NexusClientOptions {
  const c = config;
  const connection =
    c.NEXUS_BASE_URL && c.NEXUS_TOKEN_URL && c.NEXUS_CLIENT_ID && c.NEXUS_CLIENT_SECRET
      ? { baseUrl: c.NEXUS_BASE_URL, tokenUrl: c.NEXUS_TOKEN_URL, clientId: c.NEXUS_CLIENT_ID, clientSecret: c.NEXUS_CLIENT_SECRET }
      : undefined;
  return {
    connection,
    names: {
      citizenList: c.NEXUS_CITIZEN_LIST,
      citizenView: c.NEXUS_CITIZEN_VIEW,
      timeItemLabel: c.NEXUS_TIME_ITEM_LABEL,
      lockedAction: c.NEXUS_ACTION_LOCKED,
      formDataPath: c.NEXUS_FORM_DATA_PATH,
    },
    timeoutMs: c.NEXUS_TIMEOUT_MS,
    concurrency: c.NEXUS_CONCURRENCY,
    breaker: { resetTimeout: c.NEXUS_BREAKER_RESET_MS },
    readRetries: { attempts: c.NEXUS_READ_RETRIES, baseDelayMs: c.NEXUS_READ_RETRY_DELAY_MS },
  };
}

/** The assignment prototype's create action, as every public client names it. */
const CREATE_TASK_ACTION = 'Opret';
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const LINK_MEMORY = 20_000;

function badInput(what: string): PermanentError {
  return new PermanentError(`nexus request not sent: ${what}`, 'NEXUS_BAD_INPUT', NEXUS_SYSTEM);
}

function hasStatus(err: unknown, status: number): boolean {
  return err instanceof IntegrationError && err.status === status;
}

/**
 * NexusPort over Nexus's REST/HAL API. Navigation follows `_links` from the home resource (every
 * href passes the origin guard); the only built URL is the configurable form-by-id fallback.
 * Every call goes through one ResilientHttp (bounded concurrency, timeout, breaker, metrics).
 */
export class NexusClient implements NexusPort {
  private readonly http: ResilientHttp;
  private readonly tokens: TokenCache;
  private readonly links?: NexusLinkResolver;
  private readonly now: () => number;
  private readonly maxIds: number;
  private home?: Promise<Wire>;
  /** Set when the cached home handed out a bad link; the next call after retryAt fetches it again. */
  private homeBad?: { code: string; retryAt: number };
  private homeFailures = 0;
  private readonly homeState = (): NexusHomeState =>
    this.homeBad
      ? { state: 'stale', failures: this.homeFailures, code: this.homeBad.code, retryAt: new Date(this.homeBad.retryAt).toISOString() }
      : { state: 'ok', failures: 0 };
  /** Self links learned while navigating, so later calls by id need no extra hops. */
  private readonly formHrefs = new Map<number, string>();
  private readonly patientHrefs = new Map<number, string>();

  constructor(private readonly opts: NexusClientOptions) {
    this.now = opts.now ?? Date.now;
    this.maxIds = opts.maxIdsPerCall ?? 50;
    this.http = new ResilientHttp({
      system: NEXUS_SYSTEM,
      timeoutMs: opts.timeoutMs,
      concurrency: opts.concurrency,
      breaker: opts.breaker,
      readRetries: opts.readRetries,
      describeBody: describeNexusBody,
      // The call budget: every request counted under the purpose the calling workflow named.
      onRequest: () => nexusCalls.inc({ purpose: callPurpose() }),
    });
    this.links = opts.connection ? new NexusLinkResolver(opts.connection.baseUrl) : undefined;
    this.tokens = new TokenCache(() => requestClientCredentialsToken(this.http, this.connection()), this.now);
    if (opts.connection) homeStates.add(this.homeState);
  }

  static fromConfig(config: AppConfig): NexusClient {
    return new NexusClient(nexusClientOptions(config));
  }

  get breakerState(): ResilientHttp['state'] {
    return this.http.state;
  }

  shutdown(): void {
    homeStates.delete(this.homeState);
    this.http.shutdown();
  }

  // ---- port ---------------------------------------------------------------------------------

  async findMeetingNotes(q: MeetingNotesQuery): Promise<NexusNote[]> {
    if (!DAY.test(q.observationDate)) throw badInput('observationDate must be YYYY-MM-DD');
    if (q.observationFrom !== undefined && !DAY.test(q.observationFrom)) throw badInput('observationFrom must be YYYY-MM-DD');
    const forms = await this.tracedForms(q.citizenList, q.citizenView, (node) => nodeNamed(node, q.formTitle));
    const notes: NexusNote[] = [];
    let undated = 0;
    for (const { form, citizenId } of forms) {
      if (!isTaggedForm(form, q.formTitle, q.tag)) continue;
      const observed = parseNexusDate(form.observationTimestamp);
      if (observed === undefined) {
        undated++;
        continue;
      }
      const day = copenhagenDay(observed);
      if (day <= q.observationDate && day >= (q.observationFrom ?? q.observationDate)) notes.push(this.note(form, citizenId));
    }
    // A tagged note without an observation date cannot belong to any meeting; say so (ids only).
    if (undated > 0) rootLogger().warn({ system: NEXUS_SYSTEM, undated }, 'tagged nexus notes without observation date skipped');
    return notes.sort(byCitizenThenId);
  }

  async findLockedNotes(q: LockedNotesQuery): Promise<LockedNotesResult> {
    const sinceMs = parseNexusDate(q.since);
    if (sinceMs === undefined) throw badInput('since must be an ISO timestamp');
    const locked = this.opts.names.lockedAction;
    // One citizen that cannot be read (after the read repeats) must not hold back every other
    // citizen's locked notes; the cursor then stays put, so the next pass reads that citizen again.
    const unreadCitizens: Array<{ citizenId: number; code: string }> = [];
    const forms = await this.tracedForms(q.citizenList, q.citizenView, (node) => nodeNamed(node, q.formTitle) && nodeMayBeLocked(node, locked),
      (citizenId, err) => unreadCitizens.push({ citizenId, code: errorCode(err) }));
    let cursorMs = sinceMs;
    const notes: NexusNote[] = [];
    for (const { form, citizenId } of forms) {
      if (!isTaggedForm(form, q.formTitle, q.tag)) continue;
      const note = this.note(form, citizenId);
      if (!note.locked) continue;
      // Without an update stamp a locked note cannot be placed against the cursor: return it and let
      // the caller's (id, version) dedup keep it from being processed twice.
      const updated = parseNexusDate(form.updateDate ?? form.lastStateChange);
      if (updated !== undefined && updated < sinceMs) continue;
      if (updated !== undefined) cursorMs = Math.max(cursorMs, updated);
      notes.push(note);
    }
    if (unreadCitizens.length) return { notes: notes.sort(byCitizenThenId), cursor: new Date(sinceMs).toISOString(), unreadCitizens };
    return { notes: notes.sort(byCitizenThenId), cursor: new Date(cursorMs).toISOString() };
  }

  async getNote(noteId: number, knownHref?: string): Promise<NexusNote> {
    if (knownHref) this.remember(this.formHrefs, noteId, knownHref);
    return this.note(await this.formById(noteId));
  }

  async getCitizen(citizenId: number): Promise<NexusCitizen> {
    const patient = await this.patientById(citizenId);
    const conditionsHref = optionalLink(patient, 'patientConditions');
    const conditions = conditionsHref ? await this.get(conditionsHref) : [];
    return toCitizen(patient, conditions);
  }

  async getCitizenIdentity(citizenId: number): Promise<NexusCitizenIdentity> {
    return toCitizenIdentity(await this.patientById(citizenId));
  }

  async getRelations(citizenId: number): Promise<NexusRelation[]> {
    const patient = await this.patientById(citizenId);
    return this.relationsAt(requireLink(patient, 'patientOrganizations', `patient ${citizenId}`), citizenId);
  }

  async findOrganisation(name: string): Promise<NexusOrganisation | null> {
    const orgs = asArray(await this.get(await this.homeLink('organizations')), 'organizations');
    const found = orgs.find((o) => isRecord(o) && sameName(o.name, name));
    return found ? toOrganisation(found) : null;
  }

  async attachOrganisation(citizenId: number, orgName: string): Promise<NexusRelation> {
    const patient = await this.patientById(citizenId);
    const relationsHref = requireLink(patient, 'patientOrganizations', `patient ${citizenId}`);
    const existing = (await this.relationsAt(relationsHref, citizenId)).find((r) => sameName(r.organisation.name, orgName));
    if (existing) return existing;
    const org = await this.findOrganisation(orgName);
    if (!org) throw new PermanentError(`nexus organisation "${orgName}" not found`, 'NEXUS_ORG_NOT_FOUND', NEXUS_SYSTEM);
    // Public clients add a relation with PUT {patientOrganizations}/{organizationId} and a JSON "" body.
    await this.send('PUT', appendPath(this.resolver().resolve(relationsHref), String(org.id)), '""');
    const created = (await this.relationsAt(relationsHref, citizenId)).find((r) => r.organisation.id === org.id);
    if (!created) throw new RetryableError(`nexus did not list the relation to organisation ${org.id} after adding it`, 'NEXUS_RELATION_MISSING', NEXUS_SYSTEM);
    rootLogger().info({ system: NEXUS_SYSTEM, citizenId, organisationId: org.id, relationId: created.id }, 'nexus organisation attached');
    return created;
  }

  async detachOrganisation(relation: NexusRelation): Promise<void> {
    let href = relation.removeHref;
    if (!href) {
      const current = (await this.getRelations(relation.citizenId)).find((r) => r.id === relation.id);
      if (!current) return; // already ended
      href = current.removeHref;
      if (!href) throw badResponse(`relation ${relation.id} has no "removeFromPatient" link`);
    }
    try {
      await this.send('DELETE', href);
    } catch (err) {
      if (!hasStatus(err, 404)) throw err; // gone already: the goal is reached
    }
    rootLogger().info({ system: NEXUS_SYSTEM, citizenId: relation.citizenId, relationId: relation.id }, 'nexus organisation detached');
  }

  async setNoteTime(noteId: number, hhmm: string): Promise<NoteWriteResult> {
    if (!HHMM.test(hhmm)) throw badInput('time must be HH:MM');
    const label = this.opts.names.timeItemLabel;
    return this.updateForm(noteId, (form) => {
      const note = this.note(form);
      if (note.items[label] === hhmm) return undefined;
      if (note.locked) throw new PermanentError(`nexus note ${noteId} is locked; its time cannot change`, 'NEXUS_NOTE_LOCKED', NEXUS_SYSTEM);
      setItemText(form, label, hhmm);
      // Saving through the action named like the current state keeps the note in that state.
      return note.state;
    });
  }

  async clearNoteTime(noteId: number, written: string): Promise<NoteWriteResult> {
    const label = this.opts.names.timeItemLabel;
    return this.updateForm(noteId, (form) => {
      const note = this.note(form);
      if (note.locked || note.items[label] !== written) return undefined;
      setItemText(form, label, '');
      return note.state;
    });
  }

  async lockNote(noteId: number): Promise<NoteWriteResult> {
    return this.updateForm(noteId, (form) => (this.note(form).locked ? undefined : this.opts.names.lockedAction));
  }

  async createTask(t: CreateTaskInput): Promise<{ id: number }> {
    if (!t.title.trim()) throw badInput('task title is empty');
    if (!DAY.test(t.dueDate)) throw badInput('dueDate must be YYYY-MM-DD');
    const { object, what } = await this.taskObject(t.on);
    const types = asArray(await this.get(requireLink(object, 'availableAssignmentTypes', what)), 'assignment types');
    const type = types.find((x) => isRecord(x) && sameName(x.name, t.typeName));
    if (!type) throw new PermanentError(`nexus assignment type "${t.typeName}" not available`, 'NEXUS_TASK_TYPE_NOT_FOUND', NEXUS_SYSTEM);
    const prototype = asRecord(await this.get(requireLink(type, 'assignmentPrototype', 'assignment type')), 'assignment prototype');
    const assignees = asArray(await this.get(requireLink(prototype, 'availableOrganizationAssignees', 'assignment prototype')), 'organization assignees');
    const org = assignees.find((x) => isRecord(x) && sameName(x.name, t.organisationName));
    if (!org) throw new PermanentError(`nexus organisation "${t.organisationName}" cannot be assigned tasks`, 'NEXUS_ORG_NOT_FOUND', NEXUS_SYSTEM);
    const action = asArray(prototype.actions, 'assignment prototype actions').find((a) => isRecord(a) && a.name === CREATE_TASK_ACTION);
    if (!action) throw badResponse(`assignment prototype has no "${CREATE_TASK_ACTION}" action`);
    const assignee = toOrganisation(org);
    const body = {
      ...prototype,
      object,
      title: t.title,
      description: t.description,
      startDate: copenhagenDay(this.now()),
      dueDate: t.dueDate,
      organizationAssignee: { organizationId: assignee.id, displayName: assignee.name },
    };
    const res = await this.send('POST', requireLink(action, 'createAssignment', 'assignment action'), body);
    const id = idOf(res.data, 'created assignment');
    rootLogger().info({ system: NEXUS_SYSTEM, assignmentId: id, on: t.on }, 'nexus task created');
    return { id };
  }

  async findTasks(on: CreateTaskInput['on'], title: string): Promise<Array<{ id: number; title: string }>> {
    const { object, what } = await this.taskObject(on);
    const list = asArray(await this.get(requireLink(object, 'activeAssignments', what)), 'active assignments');
    return list
      .filter((a): a is Wire => isRecord(a) && a.title === title)
      .map((a) => ({ id: idOf(a, 'assignment'), title }));
  }

  // ---- navigation -----------------------------------------------------------------------------

  /**
   * Forms reachable from the citizen list's citizens through the citizen view, limited to the
   * reference nodes `wanted` accepts (each accepted node costs one call, so filter early).
   */
  /**
   * The wanted forms of every citizen on the list. Without `onUnreadCitizen` one citizen that cannot
   * be read fails the walk; with it, that citizen is reported and skipped, unless no citizen at all
   * could be read (then Nexus is down, not one record bad, and the first error is thrown).
   */
  private async tracedForms(
    listName: string | undefined,
    viewName: string | undefined,
    wanted: (node: Wire) => boolean,
    onUnreadCitizen?: (citizenId: number, err: unknown) => void,
  ) {
    const summaries = await this.citizenSummaries(listName ?? this.opts.names.citizenList);
    const view = viewName ?? this.opts.names.citizenView;
    if (!onUnreadCitizen) return (await Promise.all(summaries.map((s) => this.citizenForms(s, view, wanted)))).flat();
    const settled = await Promise.allSettled(summaries.map((s) => this.citizenForms(s, view, wanted)));
    const failed = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length && failed.length === settled.length) throw failed[0].reason;
    settled.forEach((r, i) => r.status === 'rejected' && onUnreadCitizen(idOf(summaries[i], 'patient summary'), r.reason));
    return settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  }

  /** Citizen list → content → pages → `patients?ids=…` (≤ maxIds per call) → citizen summaries. */
  private async citizenSummaries(listName: string): Promise<Wire[]> {
    const prefs = asRecord(await this.get(await this.homeLink('preferences')), 'preferences');
    const lists = asArray(prefs.CITIZEN_LIST, 'preferences CITIZEN_LIST');
    const listRef = lists.find((l) => isRecord(l) && sameName(l.name, listName));
    if (!listRef) throw new PermanentError(`nexus citizen list "${listName}" not found`, 'NEXUS_LIST_NOT_FOUND', NEXUS_SYSTEM);
    const list = await this.get(requireLink(listRef, 'self', 'citizen list reference'));
    const content = asRecord(await this.get(requireLink(list, 'content', 'citizen list')), 'citizen list content');
    const pages = asArray(content.pages ?? [], 'citizen list pages');
    const hrefs = pages.flatMap((p) => this.idBatches(requireLink(p, 'patientData', 'citizen list page')));
    const batches = await Promise.all(hrefs.map(async (h) => asArray(await this.get(h), 'patient data')));
    const byId = new Map<number, Wire>();
    for (const s of batches.flat()) {
      const summary = asRecord(s, 'patient summary');
      byId.set(idOf(summary, 'patient summary'), summary);
    }
    return [...byId.values()];
  }

  /** Splits a `patients?ids=a,b,…` link into links of at most maxIds ids (long URLs fail at Nexus). */
  private idBatches(href: string): string[] {
    const url = new URL(this.resolver().resolve(href));
    const ids = (url.searchParams.get('ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length <= this.maxIds) return [url.toString()];
    const rest = new URLSearchParams([...url.searchParams.entries()].filter(([k]) => k !== 'ids')).toString();
    const out: string[] = [];
    for (let i = 0; i < ids.length; i += this.maxIds) {
      const u = new URL(url.toString());
      u.search = `${rest ? `${rest}&` : ''}ids=${ids.slice(i, i + this.maxIds).join(',')}`;
      out.push(u.toString());
    }
    return out;
  }

  private async citizenForms(summary: Wire, viewName: string, wanted: (node: Wire) => boolean) {
    const citizenId = idOf(summary, 'patient summary');
    const selfHref = optionalLink(summary, 'self');
    if (selfHref) this.remember(this.patientHrefs, citizenId, selfHref);
    const patient = optionalLink(summary, 'patientPreferences')
      ? summary
      : asRecord(await this.get(requireLink(summary, 'self', `patient summary ${citizenId}`)), 'patient');
    const prefs = asRecord(await this.get(requireLink(patient, 'patientPreferences', `patient ${citizenId}`)), 'patient preferences');
    const views = asArray(prefs.CITIZEN_PATHWAY ?? [], 'patient preferences CITIZEN_PATHWAY');
    const viewRef = views.find((v) => isRecord(v) && sameName(v.name, viewName));
    if (!viewRef) throw new PermanentError(`nexus citizen view "${viewName}" not found`, 'NEXUS_VIEW_NOT_FOUND', NEXUS_SYSTEM);
    const view = await this.get(requireLink(viewRef, 'self', 'citizen view reference'));
    const tree = await this.get(requireLink(view, 'pathwayReferences', 'citizen view'));
    const nodes = formReferenceNodes(tree).filter(wanted);
    return Promise.all(
      nodes.map(async (node) => {
        const form = asRecord(await this.get(requireLink(node, 'referencedObject', 'form reference')), 'form');
        const self = optionalLink(form, 'self');
        if (self) this.remember(this.formHrefs, idOf(form, 'form'), self);
        return { form, citizenId };
      }),
    );
  }

  private async formById(noteId: number): Promise<Wire> {
    const href = this.formHrefs.get(noteId) ?? this.opts.names.formDataPath.replace('{id}', String(noteId));
    return asRecord(await this.get(href), `form ${noteId}`);
  }

  /** A citizen by id: its known self link, else the home `patients` link with `?ids=` (as list pages use). */
  private async patientById(citizenId: number): Promise<Wire> {
    let href = this.patientHrefs.get(citizenId);
    if (!href) {
      const url = new URL(this.resolver().resolve(await this.homeLink('patients')));
      url.searchParams.set('ids', String(citizenId));
      const found = asArray(await this.get(url.toString()), 'patient data').find((p) => isRecord(p) && p.id === citizenId);
      if (!found) throw new PermanentError(`nexus patient ${citizenId} not found`, 'NEXUS_PATIENT_NOT_FOUND', NEXUS_SYSTEM, 404);
      href = requireLink(found, 'self', `patient summary ${citizenId}`);
      this.remember(this.patientHrefs, citizenId, href);
    }
    return asRecord(await this.get(href), `patient ${citizenId}`);
  }

  private async relationsAt(href: string, citizenId: number): Promise<NexusRelation[]> {
    const list = asArray(await this.get(href), `patient ${citizenId} organisations`);
    return list
      .filter(isRelationInForce)
      .map((r) => {
        const remove = optionalLink(r, 'removeFromPatient');
        return toRelation(r, citizenId, remove ? this.resolver().resolve(remove) : undefined);
      });
  }

  private async taskObject(on: CreateTaskInput['on']): Promise<{ object: Wire; what: string }> {
    return 'noteId' in on
      ? { object: await this.formById(on.noteId), what: `form ${on.noteId}` }
      : { object: await this.patientById(on.citizenId), what: `patient ${on.citizenId}` };
  }

  /**
   * Read → decide → PUT the whole form through the chosen action's `updateFormData`. `decide`
   * edits the form in place and names the action, or returns undefined when nothing needs to
   * change (then nothing is written). A 409 (stale version) re-reads and re-applies once.
   */
  private async updateForm(noteId: number, decide: (form: Wire) => string | undefined): Promise<NoteWriteResult> {
    for (let attempt = 1; ; attempt++) {
      const form = await this.formById(noteId);
      const actionName = decide(form);
      const version = form.version as number;
      if (actionName === undefined) return { changed: false, version };
      const actions = asArray(await this.get(requireLink(form, 'availableActions', `form ${noteId}`)), 'available actions');
      const action = actions.find((a) => isRecord(a) && a.name === actionName);
      if (!action) throw new PermanentError(`nexus form ${noteId} offers no "${actionName}" action`, 'NEXUS_ACTION_MISSING', NEXUS_SYSTEM);
      try {
        const res = await this.send('PUT', requireLink(action, 'updateFormData', 'form action'), form);
        const saved = isRecord(res.data) && typeof res.data.version === 'number' ? res.data.version : (await this.formById(noteId)).version;
        rootLogger().info({ system: NEXUS_SYSTEM, noteId, version: saved }, 'nexus note updated');
        return { changed: true, version: saved as number };
      } catch (err) {
        if (!hasStatus(err, 409)) throw err;
        if (attempt >= 2) {
          throw new RetryableError(`nexus form ${noteId} kept changing concurrently (409 twice)`, 'NEXUS_CONFLICT', NEXUS_SYSTEM, 409);
        }
      }
    }
  }

  private note(form: Wire, citizenId?: number): NexusNote {
    const note = toNote(form, { lockedState: this.opts.names.lockedAction, citizenId });
    const selfHref = optionalLink(form, 'self');
    const citizenHref = this.patientHrefs.get(note.citizenId);
    return { ...note, ...(selfHref ? { selfHref } : {}), ...(citizenHref ? { citizenHref } : {}) };
  }

  // ---- transport ------------------------------------------------------------------------------

  private connection(): NexusConnection {
    if (!this.opts.connection) {
      throw new PermanentError('nexus is not configured (NEXUS_BASE_URL and credentials)', 'NEXUS_NOT_CONFIGURED', NEXUS_SYSTEM);
    }
    return this.opts.connection;
  }

  /**
   * Keeps a self link for later calls by id, but only one that passes the origin guard: a forged
   * link in one answer must not poison every later lookup of that citizen or form.
   */
  private remember(map: Map<number, string>, id: number, href: string): void {
    try {
      this.resolver().resolve(href);
    } catch {
      map.delete(id);
      return;
    }
    rememberLink(map, id, href);
  }

  private resolver(): NexusLinkResolver {
    this.connection();
    return this.links as NexusLinkResolver;
  }

  /**
   * A link of the home document, which is cached: one answer with a forged (off-origin) or missing
   * link must not fail every later call until restart, so such a link marks the cached home stale and
   * the first call after a backoff fetches it again. Calls within the backoff fail fast with the same
   * error instead of hammering Nexus.
   */
  private async homeLink(rel: string): Promise<string> {
    if (this.home && this.homeBad && this.now() >= this.homeBad.retryAt) this.home = undefined;
    let fresh = false;
    if (!this.home) {
      fresh = true;
      this.home = this.get(this.resolver().homeUrl)
        .then((b) => asRecord(b, 'home resource'))
        .catch((err) => {
          this.home = undefined;
          throw err;
        });
    }
    const home = await this.home;
    try {
      const href = requireLink(home, rel, 'home resource');
      this.resolver().resolve(href); // the origin guard, here, so a forged link is blamed on the home document
      if (fresh || !this.homeBad) this.homeOk();
      return href;
    } catch (err) {
      const code = errorCode(err);
      if (HOME_ERRORS.has(code)) this.homeFailed(code, fresh);
      throw err;
    }
  }

  private homeOk(): void {
    this.homeBad = undefined;
    this.homeFailures = 0;
  }

  private homeFailed(code: string, fresh: boolean): void {
    // One bad home document counts once, however many calls read a bad link from it.
    if (!fresh && this.homeBad) return;
    this.homeFailures++;
    const { baseMs, maxMs } = this.opts.homeRetry ?? { baseMs: 1000, maxMs: 60_000 };
    const wait = Math.min(maxMs, baseMs * 2 ** Math.min(this.homeFailures - 1, 20));
    this.homeBad = { code, retryAt: this.now() + wait };
    rootLogger().warn({ system: NEXUS_SYSTEM, code, failures: this.homeFailures, retryInMs: wait }, 'nexus home document handed out a bad link; it is fetched again after the wait');
  }

  private async get(href: string): Promise<unknown> {
    return (await this.send('GET', href)).data;
  }

  /** One authorised call; a 401 renews the token and tries exactly once more. */
  private async send(method: 'GET' | 'PUT' | 'POST' | 'DELETE', href: string, data?: unknown): Promise<AxiosResponse> {
    const url = this.resolver().resolve(href);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (data !== undefined) headers['Content-Type'] = 'application/json';
    const attempt = (token: string) => this.http.request({ method, url, data, headers: { ...headers, Authorization: `Bearer ${token}` } });
    const token = await this.tokens.token();
    try {
      return await attempt(token);
    } catch (err) {
      if (!hasStatus(err, 401)) throw err;
      this.tokens.invalidate(token);
      return attempt(await this.tokens.token());
    }
  }
}

function nodeNamed(node: Wire, title: string): boolean {
  // The reference's name is the form title in public examples; a node without one is fetched to be sure.
  return typeof node.name !== 'string' || sameName(node.name, title) || node.name.trim().startsWith(title.trim());
}

function nodeMayBeLocked(node: Wire, lockedState: string): boolean {
  if (node.locked === true) return true;
  const state = workflowStateName(node);
  if (state !== undefined) return state === lockedState;
  return node.locked === undefined;
}

/** Tags compare normalised (case, dash kind, whitespace): the seed spells the agenda tag two ways. */
function isTaggedForm(form: Wire, title: string, tag: string): boolean {
  return sameName(formTitle(form), title) && tagMatch(activeTagNames(form), tag) !== null;
}

function byCitizenThenId(a: NexusNote, b: NexusNote): number {
  return a.citizenId - b.citizenId || a.id - b.id;
}

function appendPath(absolute: string, segment: string): string {
  const url = new URL(absolute);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/${encodeURIComponent(segment)}`;
  return url.toString();
}

function rememberLink(map: Map<number, string>, id: number, href: string): void {
  map.delete(id);
  map.set(id, href);
  if (map.size > LINK_MEMORY) map.delete(map.keys().next().value as number);
}
