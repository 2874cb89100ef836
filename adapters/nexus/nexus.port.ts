import type { CallPurpose } from '../../src/common/call-purpose';
/**
 * What workflows may ask of KMD Nexus. Implemented by NexusClient (real REST/HAL API) and reached
 * through the sandbox in tests and demos. Ids are Nexus's numeric ids.
 */
export const NEXUS_PORT = Symbol('NexusPort');

export interface NexusNote {
  id: number;
  version: number;
  citizenId: number;
  formTitle: string;
  /** Workflow state name, e.g. "Kladde" or "Låst". */
  state: string;
  locked: boolean;
  createDate: string; // ISO 8601 with offset
  updateDate?: string;
  observationTimestamp: string; // ISO 8601 with offset
  /** Form items by label, values as text ("" when empty). */
  items: Record<string, string>;
  tags: string[];
  /**
   * The form's own `_links.self` as Nexus handed it out: keep it (with citizenId) to fetch this note
   * again later, e.g. after a restart, without walking the citizen's pathway (docs/nexus.md).
   */
  selfHref?: string;
}

/**
 * Where a note was seen, so it can be fetched again: its self href (one call) or, when none is
 * known, its citizen (the citizen's pathway is walked again: `patient/{id}/preferences/` → view →
 * tree). Nexus has no documented "form by id" path, so a note with neither is looked up on the
 * default citizen list.
 */
export interface NoteLocation {
  selfHref?: string;
  citizenId?: number;
}

/** Who the citizen is: what letters, filings and task texts need. */
export interface NexusCitizenIdentity {
  id: number;
  cpr: string;
  firstName: string;
  lastName: string;
  fullName: string;
}

export interface NexusCitizen extends NexusCitizenIdentity {
  conditions: string[];
}

export interface NexusOrganisation {
  id: number;
  name: string;
}

export interface NexusRelation {
  id: number;
  citizenId: number;
  organisation: NexusOrganisation;
  /** Opaque link the client needs to remove it. */
  removeHref?: string;
  /** The relation's own link: re-read for `removeFromPatient` when the list entry lacks it (Odense). */
  selfHref?: string;
}

export interface MeetingNotesQuery {
  /** Meeting date YYYY-MM-DD (Europe/Copenhagen). */
  observationDate: string;
  /**
   * First observation date (YYYY-MM-DD, Copenhagen) also returned, up to observationDate: the agenda
   * reports tagged notes dated shortly before the meeting instead of dropping them. Absent: only D.
   */
  observationFrom?: string;
  formTitle: string;
  tag: string;
  /** The district's citizen list (data list) name; NEXUS_CITIZEN_LIST when absent. */
  citizenList?: string;
  /** The citizen view holding the notes; NEXUS_CITIZEN_VIEW when absent. */
  citizenView?: string;
}

/**
 * What the watch found. A citizen whose record could not be read is listed in `unreadCitizens` (the
 * others' notes are still returned) and the cursor then stays at `since`, so the next pass reads
 * that citizen again; absent or empty when every citizen was read.
 */
export interface LockedNotesResult {
  notes: NexusNote[];
  cursor: string;
  unreadCitizens?: Array<{ citizenId: number; code: string }>;
  /**
   * Citizens the integration user may not see (`isPatientAccessible: false`, or 403/404 on the
   * record): ids only, skipped on purpose, so they do not hold the cursor back.
   */
  inaccessibleCitizens?: number[];
}

export interface LockedNotesQuery {
  /** ISO timestamp: only notes updated at/after this. */
  since: string;
  formTitle: string;
  tag: string;
  /** The district's citizen list (data list) name; NEXUS_CITIZEN_LIST when absent. */
  citizenList?: string;
  /** The citizen view holding the notes; NEXUS_CITIZEN_VIEW when absent. */
  citizenView?: string;
}

export interface NoteWriteResult {
  changed: boolean;
  version: number;
}

export interface CreateTaskInput {
  on: { noteId: number; at?: NoteLocation } | { citizenId: number };
  typeName: string;
  title: string;
  description: string;
  dueDate: string; // YYYY-MM-DD
  organisationName: string;
}

export interface NexusPort {
  /**
   * This port with its calls counted under `purpose` in the call budget (tsm_nexus_calls_total).
   * Optional: a port that does not count calls (a test double) has none, and `nexusFor` hands it back as it is.
   */
  forPurpose?(purpose: CallPurpose): NexusPort;
  /** The client a purpose view was made from (itself for a client): views of one client share in-process caches. */
  readonly origin?: object;
  findMeetingNotes(q: MeetingNotesQuery): Promise<NexusNote[]>;
  /** The note's current version; `at` (its self href or citizen) spares a walk when the client has not seen it yet. */
  getNote(noteId: number, at?: NoteLocation): Promise<NexusNote>;
  getCitizen(citizenId: number): Promise<NexusCitizen>;
  /** CPR and names without the conditions (one Nexus call fewer): for the steps that only address the citizen. */
  getCitizenIdentity(citizenId: number): Promise<NexusCitizenIdentity>;
  getRelations(citizenId: number): Promise<NexusRelation[]>;
  findOrganisation(name: string): Promise<NexusOrganisation | null>;
  attachOrganisation(citizenId: number, orgName: string): Promise<NexusRelation>;
  detachOrganisation(relation: NexusRelation): Promise<void>;
  /** Writes hh:mm into the note's time item, keeping its workflow state; no-op if already set. */
  setNoteTime(noteId: number, hhmm: string, at?: NoteLocation): Promise<NoteWriteResult>;
  /**
   * Empties the note's time item if it still holds `written` (the time tsm-bridge wrote there);
   * no-op when a person has changed it, when it is empty, or when the note is locked.
   */
  clearNoteTime(noteId: number, written: string, at?: NoteLocation): Promise<NoteWriteResult>;
  /**
   * Moves the note to the locked state; no-op if already locked. Refused before any write
   * (NEXUS_REQUIRED_ITEMS_EMPTY) when a `required` item is empty, as Nexus refuses such a lock.
   */
  lockNote(noteId: number, at?: NoteLocation): Promise<NoteWriteResult>;
  /** Locked tagged notes updated since the cursor; the caller dedups by (id, version). */
  findLockedNotes(q: LockedNotesQuery): Promise<LockedNotesResult>;
  createTask(t: CreateTaskInput): Promise<{ id: number }>;
  /** Tasks already created on a note/citizen with this title (used to reconcile after a crash). */
  findTasks(on: CreateTaskInput['on'], title: string): Promise<Array<{ id: number; title: string }>>;
}

/** The port a workflow uses for `purpose`: its counting view, or the port itself when it does not count. */
export function nexusFor(nexus: NexusPort, purpose: CallPurpose): NexusPort {
  return nexus.forPurpose?.(purpose) ?? nexus;
}
