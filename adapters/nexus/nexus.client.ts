import type { AxiosResponse } from 'axios';
import type { AppConfig } from '../../src/config/config.schema';
import { errorCode, IntegrationError, PermanentError, RetryableError } from '../../src/common/errors';
import type { CallPurpose } from '../../src/common/call-purpose';
import { RecentReads } from '../../src/common/recent-reads';
import { rootLogger } from '../../src/logging/logger';
import { nexusCalls } from '../../src/metrics/metrics';
import { tagMatch } from '../../src/domain/tags';
import { ResilientHttp, ResilientHttpOptions } from '../shared/resilient-http';
import { requestClientCredentialsToken, TokenCache } from './nexus.auth';
import { localToInstant } from '../../src/common/local-time';
import { copenhagenDay, parseNexusDate, toNexusWriteDate } from './nexus.dates';
import { badResponse, isRecord, NEXUS_SYSTEM, NexusLinkResolver, optionalLink, requireLink } from './nexus.links';
import {
  activeTagNames,
  asArray,
  asRecord,
  describeNexusBody,
  emptyRequiredItems,
  formReferenceNodes,
  formTitle,
  idOf,
  isFormBody,
  isRelationInForce,
  nodeFormId,
  nodeTitle,
  sameName,
  setItemText,
  toCitizen,
  toCitizenIdentity,
  toNote,
  toOrganisation,
  toRelation,
  Wire,
  workflowStateName,
} from './nexus.mapper';
import type {
  CreateTaskInput,
  LockedNotesQuery,
  LockedNotesResult,
  MeetingNotesQuery,
  NexusCitizen,
  NexusCitizenIdentity,
  NexusNote,
  NexusOrganisation,
  NexusPort,
  NexusRelation,
  NoteLocation,
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
  /** States/actions that mean "draft" ("Kladde", and "Aktivt" as Odense saves); a save keeps a draft a draft. */
  draftStates?: string[];
}

export interface NexusClientOptions {
  /** Absent until an endpoint is known: calls then fail with NEXUS_NOT_CONFIGURED instead of the boot. */
  connection?: NexusConnection;
  names: NexusNames;
  timeoutMs: number;
  /** Timeout of the citizen list's `content` call (slow on real instances); timeoutMs when absent. */
  listTimeoutMs?: number;
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

/**
 * How long one read of the organisation list serves lookups by name. An organisation created in
 * Nexus within this window is taken as unknown once (its name goes to the coordinator's task, as
 * any unknown name does); one removed within it may still be taken as known, and the call that uses
 * it then fails as it would have had the removal come a moment later.
 */
export const ORGANISATIONS_FRESH_MS = 60_000;

/**
 * How long what a task's creation navigates serves the next task on the same object: the object
 * itself (a note's form, as the note read for the step's version check left it), its assignment
 * types, the type's prototype and the prototype's organisation assignees. The tasks of one note are
 * created moments apart; navigating again for each (four GETs) would only learn whether the form or
 * Nexus's task setup changed in between. In memory only; a read is not used after this window and is
 * dropped at the next navigation kept. A write reads the form fresh (updateForm) and drops the kept
 * read of it, so a task created after the write starts from the form as written.
 */
export const TASK_NAVIGATION_MS = 30_000;
const TASK_NAVIGATION_MAX = 5_000;

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
      draftStates: c.NEXUS_DRAFT_STATES,
    },
    timeoutMs: c.NEXUS_TIMEOUT_MS,
    listTimeoutMs: c.NEXUS_LIST_TIMEOUT_MS,
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

const DEFAULT_DRAFT_STATES = ['Kladde', 'Aktivt'];
const DATE_ITEM_TYPES = new Set(['date', 'datetime', 'dateTime', 'timestamp']);

/** A citizen the integration user may not see: skipped and reported (ids only), never a failed walk. */
class InaccessibleCitizen extends PermanentError {
  constructor(readonly citizenId: number) {
    super(`nexus patient ${citizenId} is not accessible to the integration user`, 'NEXUS_PATIENT_INACCESSIBLE', NEXUS_SYSTEM, 403);
  }
}

function isInaccessible(err: unknown): boolean {
  return err instanceof InaccessibleCitizen;
}

function summaryInaccessible(summary: Wire): boolean {
  return summary.isPatientAccessible === false || summary.patientAccessible === false;
}

/**
 * NexusPort over Nexus's REST/HAL API. Navigation follows `_links` from the home resource (every
 * href passes the origin guard); the only built URLs are the ones public clients hard-code too:
 * `patients?ids=` and `patient/{id}/preferences/` (docs/nexus.md).
 * Every call goes through one ResilientHttp (bounded concurrency, timeout, breaker, metrics).
 */
export class NexusClient implements NexusPort {
  private readonly http: ResilientHttp;
  private readonly tokens: TokenCache;
  private readonly links?: NexusLinkResolver;
  private readonly now: () => number;
  private readonly maxIds: number;
  /**
   * The cached home document. An object held by reference, like every other piece of state here, so
   * a purpose view (`forPurpose`) shares it with the client it was made from.
   */
  private readonly homeCache: {
    doc?: Promise<Wire>;
    /** Set when the cached home handed out a bad link; the next call after retryAt fetches it again. */
    bad?: { code: string; retryAt: number };
    failures: number;
  } = { failures: 0 };
  private readonly homeState = (): NexusHomeState => {
    const { bad, failures } = this.homeCache;
    return bad ? { state: 'stale', failures, code: bad.code, retryAt: new Date(bad.retryAt).toISOString() } : { state: 'ok', failures: 0 };
  };
  /** What this client's calls count as in tsm_nexus_calls_total (a view made by forPurpose says otherwise). */
  private readonly purpose: CallPurpose = 'other';
  readonly origin: object = this;
  /** Self links learned while navigating, so later calls by id need no extra hops. */
  private readonly formHrefs = new Map<number, string>();
  /** The citizen each form was reached through, so a form whose self link is unknown is found by walking one citizen. */
  private readonly formCitizens = new Map<number, number>();
  private readonly patientHrefs = new Map<number, string>();
  /** Recent task navigation by key (form id or href); see TASK_NAVIGATION_MS. */
  private readonly taskNavigation = new RecentReads<unknown>({
    windowMs: TASK_NAVIGATION_MS,
    max: TASK_NAVIGATION_MAX,
    now: () => this.now(),
  });
  /** The organisation list (reference data, no personal data); see ORGANISATIONS_FRESH_MS. */
  private readonly organisations = new RecentReads<Wire[]>({ windowMs: ORGANISATIONS_FRESH_MS, max: 1, now: () => this.now() });

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
    });
    this.links = opts.connection ? new NexusLinkResolver(opts.connection.baseUrl) : undefined;
    this.tokens = new TokenCache((hooks) => requestClientCredentialsToken(this.http, this.connection(), hooks), this.now);
    if (opts.connection) homeStates.add(this.homeState);
  }

  /**
   * The same client — connection, token, caches, breaker and call limit — counting its calls under
   * `purpose` (the call budget). A workflow takes its view once where it is wired.
   */
  forPurpose(purpose: CallPurpose): NexusPort {
    if (purpose === this.purpose) return this;
    // Every field is read-only and mutable state sits in objects held by reference, so the view
    // (which inherits them through its prototype) and the client stay one client.
    return Object.create(this, { purpose: { value: purpose } }) as NexusClient;
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
    const inaccessible: number[] = [];
    const forms = await this.tracedForms(
      q.citizenList,
      q.citizenView,
      (node) => nodeNamed(node, q.formTitle),
      undefined,
      (id) => inaccessible.push(id),
    );
    reportInaccessible(inaccessible);
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
    const inaccessible: number[] = [];
    const forms = await this.tracedForms(
      q.citizenList,
      q.citizenView,
      (node) => nodeNamed(node, q.formTitle) && nodeMayBeLocked(node, locked),
      (citizenId, err) => unreadCitizens.push({ citizenId, code: errorCode(err) }),
      (id) => inaccessible.push(id),
    );
    reportInaccessible(inaccessible);
    const skipped = inaccessible.length ? { inaccessibleCitizens: inaccessible.sort((a, b) => a - b) } : {};
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
    if (unreadCitizens.length)
      return { notes: notes.sort(byCitizenThenId), cursor: new Date(sinceMs).toISOString(), unreadCitizens, ...skipped };
    return { notes: notes.sort(byCitizenThenId), cursor: new Date(cursorMs).toISOString(), ...skipped };
  }

  async getNote(noteId: number, at?: NoteLocation): Promise<NexusNote> {
    const form = await this.formById(noteId, at);
    // The note's step chain may create tasks on this form next: they start from this read.
    this.taskNavigation.keep(`form:${noteId}`, Promise.resolve(form));
    return this.note(form);
  }

  /** A note by the self href kept from an earlier read (one call). */
  async getNoteAt(selfHref: string): Promise<NexusNote> {
    const form = await this.readForm(selfHref);
    this.learnForm(form);
    this.taskNavigation.keep(`form:${idOf(form, 'form')}`, Promise.resolve(form));
    return this.note(form);
  }

  /**
   * A note found again by walking its citizen's pathway: `patient/{id}/preferences/` → view →
   * tree → the node of this form id → the form. For a note whose self href is not known.
   */
  async findCitizenNote(citizenId: number, noteId: number, viewName?: string): Promise<NexusNote> {
    return this.note(await this.citizenForm(citizenId, noteId, viewName), citizenId);
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
    const found = (await this.organisationList()).find((o) => sameName(o.name, name));
    return found ? toOrganisation(found) : null;
  }

  /**
   * The whole organisation list (Nexus has no search by name), read at most once per
   * ORGANISATIONS_FRESH_MS and shared by the calls in between: a meeting day's batch looks up the
   * same few names for hundreds of notes, and a municipality's list is large. A failed read is not kept.
   */
  private organisationList(): Promise<Wire[]> {
    return this.organisations.get('organizations', async () =>
      asArray(await this.get(await this.homeLink('organizations')), 'organizations').filter(isRecord),
    );
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
    if (!created)
      throw new RetryableError(
        `nexus did not list the relation to organisation ${org.id} after adding it`,
        'NEXUS_RELATION_MISSING',
        NEXUS_SYSTEM,
      );
    rootLogger().info({ system: NEXUS_SYSTEM, citizenId, organisationId: org.id, relationId: created.id }, 'nexus organisation attached');
    return created;
  }

  async detachOrganisation(relation: NexusRelation): Promise<void> {
    let href = relation.removeHref ?? (relation.selfHref ? await this.removeLinkAt(relation.selfHref) : undefined);
    if (!href) {
      const current = (await this.getRelations(relation.citizenId)).find((r) => r.id === relation.id);
      if (!current) return; // already ended
      // Odense re-reads the relation's own `self` when the list entry carries no `removeFromPatient`.
      href = current.removeHref ?? (current.selfHref ? await this.removeLinkAt(current.selfHref) : undefined);
      if (!href) throw badResponse(`relation ${relation.id} has no "removeFromPatient" link`);
    }
    try {
      await this.send('DELETE', href);
    } catch (err) {
      if (!hasStatus(err, 404)) throw err; // gone already: the goal is reached
    }
    rootLogger().info({ system: NEXUS_SYSTEM, citizenId: relation.citizenId, relationId: relation.id }, 'nexus organisation detached');
  }

  async setNoteTime(noteId: number, hhmm: string, at?: NoteLocation): Promise<NoteWriteResult> {
    if (!HHMM.test(hhmm)) throw badInput('time must be HH:MM');
    const label = this.opts.names.timeItemLabel;
    return this.updateForm(
      noteId,
      (form) => {
        const note = this.note(form);
        const wanted = timeItemValue(form, label, note, hhmm);
        if (sameTimeValue(form, label, wanted)) return undefined;
        if (note.locked)
          throw new PermanentError(`nexus note ${noteId} is locked; its time cannot change`, 'NEXUS_NOTE_LOCKED', NEXUS_SYSTEM);
        setItemValue(form, label, wanted);
        // Saving through the action named like the current state keeps the note in that state.
        return note.state;
      },
      at,
    );
  }

  async clearNoteTime(noteId: number, written: string, at?: NoteLocation): Promise<NoteWriteResult> {
    const label = this.opts.names.timeItemLabel;
    return this.updateForm(
      noteId,
      (form) => {
        const note = this.note(form);
        if (note.locked || !HHMM.test(written) || !sameTimeValue(form, label, timeItemValue(form, label, note, written))) return undefined;
        setItemValue(form, label, isDateItem(form, label) ? null : '');
        return note.state;
      },
      at,
    );
  }

  async lockNote(noteId: number, at?: NoteLocation): Promise<NoteWriteResult> {
    return this.updateForm(
      noteId,
      (form) => {
        if (this.note(form).locked) return undefined;
        const empty = emptyRequiredItems(form);
        if (empty.length) {
          throw new PermanentError(
            `Nexus-notat ${noteId} kan ikke låses: ${empty.length} påkrævede felt(er) er tomme (${empty.join(', ')}). Udfyld dem i Nexus først.`,
            'NEXUS_REQUIRED_ITEMS_EMPTY',
            NEXUS_SYSTEM,
          );
        }
        return this.opts.names.lockedAction;
      },
      at,
    );
  }

  async createTask(t: CreateTaskInput): Promise<{ id: number }> {
    if (!t.title.trim()) throw badInput('task title is empty');
    if (!DAY.test(t.dueDate)) throw badInput('dueDate must be YYYY-MM-DD');
    const { object, what } = await this.taskObject(t.on);
    const types = asArray(await this.navigate(requireLink(object, 'availableAssignmentTypes', what)), 'assignment types');
    const type = types.find((x) => isRecord(x) && sameName(x.name, t.typeName));
    if (!type) throw new PermanentError(`nexus assignment type "${t.typeName}" not available`, 'NEXUS_TASK_TYPE_NOT_FOUND', NEXUS_SYSTEM);
    // Shared by the note's next task: only read here (the body below is a new object spread from it).
    const prototype = asRecord(await this.navigate(requireLink(type, 'assignmentPrototype', 'assignment type')), 'assignment prototype');
    const assignees = asArray(
      await this.navigate(requireLink(prototype, 'availableOrganizationAssignees', 'assignment prototype')),
      'organization assignees',
    );
    const org = assignees.find((x) => isRecord(x) && sameName(x.name, t.organisationName));
    if (!org)
      throw new PermanentError(`nexus organisation "${t.organisationName}" cannot be assigned tasks`, 'NEXUS_ORG_NOT_FOUND', NEXUS_SYSTEM);
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
    return list.filter((a): a is Wire => isRecord(a) && a.title === title).map((a) => ({ id: idOf(a, 'assignment'), title }));
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
    onInaccessible?: (citizenId: number) => void,
  ) {
    const summaries = await this.citizenSummaries(listName ?? this.opts.names.citizenList);
    const view = viewName ?? this.opts.names.citizenView;
    // A citizen the integration user may not see is skipped (and reported by id), in both modes.
    const walk = (s: Wire) =>
      this.citizenForms(s, view, wanted).catch((err: unknown) => {
        if (!isInaccessible(err)) throw err;
        onInaccessible?.(idOf(s, 'patient summary'));
        return [] as Array<{ form: Wire; citizenId: number }>;
      });
    if (!onUnreadCitizen) return (await Promise.all(summaries.map(walk))).flat();
    const settled = await Promise.allSettled(summaries.map(walk));
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
    // The list's content is computed on request and slow on real instances (Nyborg waits 180 s).
    const contentHref = requireLink(list, 'content', 'citizen list');
    const content = asRecord((await this.send('GET', contentHref, undefined, this.opts.listTimeoutMs)).data, 'citizen list content');
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
    const ids = (url.searchParams.get('ids') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
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
    if (summaryInaccessible(summary)) throw new InaccessibleCitizen(citizenId);
    const selfHref = optionalLink(summary, 'self');
    if (selfHref) this.remember(this.patientHrefs, citizenId, selfHref);
    const patient = optionalLink(summary, 'patientPreferences')
      ? summary
      : await this.readPatient(requireLink(summary, 'self', `patient summary ${citizenId}`), citizenId);
    const prefsHref = requireLink(patient, 'patientPreferences', `patient ${citizenId}`);
    const nodes = (await this.viewNodes(prefsHref, viewName, citizenId)).filter(wanted);
    return Promise.all(nodes.map(async (node) => ({ form: await this.formOfNode(node, citizenId), citizenId })));
  }

  /** A citizen's preferences → the view by name → its pathway tree → every form node. */
  private async viewNodes(prefsHref: string, viewName: string, citizenId: number, builtPath = false): Promise<Wire[]> {
    // A 403/404 on a path we built (no record reached yet) means the citizen cannot be seen.
    const prefs = asRecord(
      builtPath ? await this.readCitizenResource(prefsHref, citizenId) : await this.get(prefsHref),
      `patient ${citizenId} preferences`,
    );
    const views = asArray(prefs.CITIZEN_PATHWAY ?? [], 'patient preferences CITIZEN_PATHWAY');
    const viewRef = views.find((v) => isRecord(v) && sameName(v.name, viewName));
    if (!viewRef) throw new PermanentError(`nexus citizen view "${viewName}" not found`, 'NEXUS_VIEW_NOT_FOUND', NEXUS_SYSTEM);
    const view = await this.get(requireLink(viewRef, 'self', 'citizen view reference'));
    const tree = await this.get(requireLink(view, 'pathwayReferences', 'citizen view'));
    return formReferenceNodes(tree);
  }

  /**
   * The form a pathway node refers to, in each public spelling: `_links.referencedObject` (Odense,
   * KMD examples), `_links.referenceObject` (Nyborg, Ringsted), or only `self` — which is either the
   * form itself (Odense `hent_fra_reference`) or a reference document whose `referenceObject` /
   * `referencedObject` is the form (Nyborg `close_patient_documents`).
   */
  private async formOfNode(node: Wire, citizenId: number): Promise<Wire> {
    const direct = optionalLink(node, 'referencedObject') ?? optionalLink(node, 'referenceObject');
    const href = direct ?? optionalLink(node, 'self');
    if (!href) throw badResponse('form reference has no "referencedObject", "referenceObject" or "self" link');
    let body = await this.get(href);
    if (!direct && !isFormBody(body)) {
      const inner = optionalLink(body, 'referencedObject') ?? optionalLink(body, 'referenceObject');
      if (!inner) throw badResponse('form reference "self" leads to neither a form nor a reference object');
      body = await this.get(inner);
    }
    const form = asRecord(body, 'form');
    this.learnForm(form, citizenId);
    return form;
  }

  /** Remembers where a form lives (its self link, its citizen) for later calls by id. */
  private learnForm(form: Wire, citizenId?: number): void {
    const id = idOf(form, 'form');
    const self = optionalLink(form, 'self');
    if (self) this.remember(this.formHrefs, id, self);
    const owner = isRecord(form.patient) && typeof form.patient.id === 'number' ? form.patient.id : citizenId;
    if (owner !== undefined) rememberLink(this.formCitizens, id, owner);
  }

  /**
   * A form by id without an invented path: its self href (given, or seen in this process) → one
   * call; else its citizen (given or seen) → that citizen's pathway walked again; else the default
   * citizen list is walked for it (costly; logged).
   */
  private async formById(noteId: number, at?: NoteLocation): Promise<Wire> {
    const href = at?.selfHref ?? this.formHrefs.get(noteId);
    if (href) {
      const form = await this.readForm(href);
      if (idOf(form, 'form') !== noteId) throw badResponse(`at the self link of form ${noteId} is another form`);
      this.learnForm(form, at?.citizenId);
      return form;
    }
    const known = this.formCitizens.get(noteId);
    const citizenId = at?.citizenId ?? known;
    if (citizenId !== undefined) return this.citizenForm(citizenId, noteId);
    rootLogger().warn(
      { system: NEXUS_SYSTEM, noteId },
      'nexus note without a known self link or citizen: walking the default citizen list for it',
    );
    const found = await this.tracedForms(undefined, undefined, (node) => (nodeFormId(node) ?? noteId) === noteId);
    const hit = found.find((f) => idOf(f.form, 'form') === noteId);
    if (!hit) throw noteNotFound(noteId);
    return hit.form;
  }

  /** One citizen's pathway walked again for a form id (`patient/{id}/preferences/`, as Nyborg's robots do). */
  private async citizenForm(citizenId: number, noteId: number, viewName?: string): Promise<Wire> {
    const known = this.patientHrefs.get(citizenId);
    // Known record: its own link; else the one documented hard-coded path of a citizen's views
    // (nyborg-rpa close_patient_documents.py: `patient/{id}/preferences/`).
    const prefsHref = known
      ? requireLink(await this.readPatient(known, citizenId), 'patientPreferences', `patient ${citizenId}`)
      : `${appendPath(this.resolver().homeUrl, 'patient', String(citizenId), 'preferences')}/`;
    const nodes = await this.viewNodes(prefsHref, viewName ?? this.opts.names.citizenView, citizenId, !known);
    const exact = nodes.filter((n) => nodeFormId(n) === noteId);
    const candidates = exact.length ? exact : nodes.filter((n) => nodeFormId(n) === undefined);
    for (const node of candidates) {
      const form = await this.formOfNode(node, citizenId);
      if (idOf(form, 'form') === noteId) return form;
    }
    throw noteNotFound(noteId);
  }

  private async readForm(href: string): Promise<Wire> {
    const body = await this.get(href);
    if (isFormBody(body)) return body;
    // A self href kept from a reference document leads to the form through its reference link.
    const inner = optionalLink(body, 'referencedObject') ?? optionalLink(body, 'referenceObject');
    if (!inner) return asRecord(body, 'form');
    return asRecord(await this.get(inner), 'form');
  }

  /** A citizen's record; a 403/404 or `isPatientAccessible: false` means the citizen cannot be seen. */
  private async readPatient(href: string, citizenId: number): Promise<Wire> {
    const p = asRecord(await this.readCitizenResource(href, citizenId), `patient ${citizenId}`);
    if (summaryInaccessible(p)) throw new InaccessibleCitizen(citizenId);
    return p;
  }

  private async readCitizenResource(href: string, citizenId: number): Promise<unknown> {
    try {
      return await this.get(href);
    } catch (err) {
      if (hasStatus(err, 404) || hasStatus(err, 403)) throw new InaccessibleCitizen(citizenId);
      throw err;
    }
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
    return list.filter(isRelationInForce).map((r) => {
      const remove = optionalLink(r, 'removeFromPatient');
      const self = optionalLink(r, 'self');
      return toRelation(
        r,
        citizenId,
        remove ? this.resolver().resolve(remove) : undefined,
        self ? this.resolver().resolve(self) : undefined,
      );
    });
  }

  /** The relation read through its own `self`: its `removeFromPatient`, or undefined when it has none (ended). */
  private async removeLinkAt(selfHref: string): Promise<string | undefined> {
    try {
      const remove = optionalLink(await this.get(selfHref), 'removeFromPatient');
      return remove ? this.resolver().resolve(remove) : undefined;
    } catch (err) {
      if (hasStatus(err, 404)) return undefined;
      throw err;
    }
  }

  private async taskObject(on: CreateTaskInput['on']): Promise<{ object: Wire; what: string }> {
    if (!('noteId' in on)) return { object: await this.patientById(on.citizenId), what: `patient ${on.citizenId}` };
    const { noteId, at } = on;
    const form = await this.taskNavigation.get(`form:${noteId}`, () => this.formById(noteId, at));
    return { object: asRecord(form, `form ${noteId}`), what: `form ${noteId}` };
  }

  /** A GET of task navigation (assignment types, prototype, assignees), shared within TASK_NAVIGATION_MS. */
  private navigate(href: string): Promise<unknown> {
    return this.taskNavigation.get(`get:${this.resolver().resolve(href)}`, () => this.get(href));
  }

  /**
   * Read → decide → PUT the whole form through the chosen action's `updateFormData`. `decide`
   * edits the form in place and names the action, or returns undefined when nothing needs to
   * change (then nothing is written). A 409 (stale version) re-reads and re-applies once.
   */
  private async updateForm(noteId: number, decide: (form: Wire) => string | undefined, at?: NoteLocation): Promise<NoteWriteResult> {
    for (let attempt = 1; ; attempt++) {
      const form = await this.formById(noteId, attempt === 1 ? at : { ...at, selfHref: this.formHrefs.get(noteId) ?? at?.selfHref });
      const actionName = decide(form);
      const version = form.version as number;
      if (actionName === undefined) return { changed: false, version };
      const actions = asArray(await this.get(requireLink(form, 'availableActions', `form ${noteId}`)), 'available actions');
      const action = this.pickAction(actions, actionName);
      if (!action) throw new PermanentError(`nexus form ${noteId} offers no "${actionName}" action`, 'NEXUS_ACTION_MISSING', NEXUS_SYSTEM);
      try {
        const res = await this.send('PUT', requireLink(action, 'updateFormData', 'form action'), form);
        this.taskNavigation.forget(`form:${noteId}`);
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

  /**
   * The action named `name`; for a draft save whose state has no action of that name (state "Aktiv",
   * action "Aktivt"), the first configured draft action offered. Never falls back for the lock.
   */
  private pickAction(actions: unknown[], name: string): Wire | undefined {
    const byName = (n: string) => actions.find((a): a is Wire => isRecord(a) && typeof a.name === 'string' && sameName(a.name, n));
    const exact = byName(name);
    if (exact || sameName(name, this.opts.names.lockedAction)) return exact;
    const drafts = this.opts.names.draftStates ?? DEFAULT_DRAFT_STATES;
    const norm = (x: string) => x.trim().toLocaleLowerCase('da');
    // State "Aktiv" saved through action "Aktivt": the same draft state spelled as a verb.
    const akin = drafts.find((d) => byName(d) && (norm(d).startsWith(norm(name)) || norm(name).startsWith(norm(d))));
    if (akin) return byName(akin);
    // A draft state without an action of its own name: the first draft action offered keeps it a draft.
    if (!drafts.some((d) => sameName(d, name))) return undefined;
    for (const draft of drafts) {
      const found = byName(draft);
      if (found) return found;
    }
    return undefined;
  }

  private note(form: Wire, citizenId?: number): NexusNote {
    return toNote(form, { lockedState: this.opts.names.lockedAction, citizenId });
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
    const cache = this.homeCache;
    if (cache.doc && cache.bad && this.now() >= cache.bad.retryAt) cache.doc = undefined;
    let fresh = false;
    if (!cache.doc) {
      fresh = true;
      const doc = this.get(this.resolver().homeUrl)
        .then((b) => asRecord(b, 'home resource'))
        .catch((err) => {
          if (cache.doc === doc) cache.doc = undefined;
          throw err;
        });
      cache.doc = doc;
    }
    const home = await cache.doc;
    try {
      const href = requireLink(home, rel, 'home resource');
      this.resolver().resolve(href); // the origin guard, here, so a forged link is blamed on the home document
      if (fresh || !cache.bad) this.homeOk();
      return href;
    } catch (err) {
      const code = errorCode(err);
      if (HOME_ERRORS.has(code)) this.homeFailed(code, fresh);
      throw err;
    }
  }

  private homeOk(): void {
    this.homeCache.bad = undefined;
    this.homeCache.failures = 0;
  }

  private homeFailed(code: string, fresh: boolean): void {
    const cache = this.homeCache;
    // One bad home document counts once, however many calls read a bad link from it.
    if (!fresh && cache.bad) return;
    cache.failures++;
    const { baseMs, maxMs } = this.opts.homeRetry ?? { baseMs: 1000, maxMs: 60_000 };
    const wait = Math.min(maxMs, baseMs * 2 ** Math.min(cache.failures - 1, 20));
    cache.bad = { code, retryAt: this.now() + wait };
    rootLogger().warn(
      { system: NEXUS_SYSTEM, code, failures: cache.failures, retryInMs: wait },
      'nexus home document handed out a bad link; it is fetched again after the wait',
    );
  }

  private async get(href: string): Promise<unknown> {
    return (await this.send('GET', href)).data;
  }

  /** One authorised call; a 401 renews the token and tries exactly once more. */
  private async send(method: 'GET' | 'PUT' | 'POST' | 'DELETE', href: string, data?: unknown, timeoutMs?: number): Promise<AxiosResponse> {
    const url = this.resolver().resolve(href);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (data !== undefined) headers['Content-Type'] = 'application/json';
    const timeout = timeoutMs !== undefined ? { timeout: timeoutMs } : {};
    // The call budget: every request sent (a token request it causes included) counts under this client's purpose.
    const hooks = { onSend: () => nexusCalls.inc({ purpose: this.purpose }) };
    const attempt = (token: string) =>
      this.http.request({ method, url, data, ...timeout, headers: { ...headers, Authorization: `Bearer ${token}` } }, hooks);
    const token = await this.tokens.token(hooks);
    try {
      return await attempt(token);
    } catch (err) {
      if (!hasStatus(err, 401)) throw err;
      this.tokens.invalidate(token);
      return attempt(await this.tokens.token(hooks));
    }
  }
}

/**
 * Whether a pathway node may be a form of this title: `formDefinition.title` when the node carries
 * it (Odense's robots filter on it), else `name` (the title, or starting with it); a node that says
 * neither is fetched to be sure. Nodes of another activity type are never forms.
 */
function nodeNamed(node: Wire, title: string): boolean {
  if (node.patientActivityType !== undefined && node.patientActivityType !== 'formData') return false;
  if (formTitle(node) !== undefined) return sameName(formTitle(node), title);
  const name = nodeTitle(node);
  if (name === undefined) return true;
  return sameName(name, title) || name.trim().startsWith(title.trim());
}

function reportInaccessible(ids: number[]): void {
  if (ids.length)
    rootLogger().warn({ system: NEXUS_SYSTEM, inaccessibleCitizens: ids }, 'nexus citizens not accessible to the integration user skipped');
}

function noteNotFound(noteId: number): PermanentError {
  return new PermanentError(`Nexus-notat ${noteId} blev ikke fundet på borgerens forløb`, 'NEXUS_NOTE_NOT_FOUND', NEXUS_SYSTEM, 404);
}

function timeItem(form: Wire, label: string): Wire | undefined {
  const items = Array.isArray(form.items) ? form.items : [];
  return items.find((i): i is Wire => isRecord(i) && i.label === label);
}

/** A time item typed as a date holds an instant; a text item holds "hh:mm". */
function isDateItem(form: Wire, label: string): boolean {
  const t = timeItem(form, label)?.type;
  return typeof t === 'string' && DATE_ITEM_TYPES.has(t);
}

/**
 * What the time item should hold for `hhmm`: the text itself, or — for a date-typed item — the
 * instant of hh:mm (Copenhagen) on the note's observation day, written in UTC with `Z`.
 */
function timeItemValue(form: Wire, label: string, note: NexusNote, hhmm: string): string {
  if (!isDateItem(form, label)) return hhmm;
  const [h, mi] = hhmm.split(':').map(Number);
  return toNexusWriteDate(localToInstant(copenhagenDay(Date.parse(note.observationTimestamp)), h, mi).getTime());
}

function sameTimeValue(form: Wire, label: string, wanted: string): boolean {
  const item = timeItem(form, label);
  if (!item) return false;
  if (isDateItem(form, label)) {
    const have = parseNexusDate(item.value);
    return have !== undefined && have === Date.parse(wanted);
  }
  return item.value === wanted;
}

function setItemValue(form: Wire, label: string, value: string | null): void {
  if (value === null) {
    const item = timeItem(form, label);
    if (!item) throw badResponse(`form ${idOf(form, 'form')} has no item "${label}"`);
    item.value = null;
    return;
  }
  setItemText(form, label, value);
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

function appendPath(absolute: string, ...segments: string[]): string {
  const url = new URL(absolute);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/${segments.map(encodeURIComponent).join('/')}`;
  return url.toString();
}

function rememberLink<V>(map: Map<number, V>, id: number, href: V): void {
  map.delete(id);
  map.set(id, href);
  if (map.size > LINK_MEMORY) map.delete(map.keys().next().value as number);
}
