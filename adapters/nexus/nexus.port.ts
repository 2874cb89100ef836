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
  /** The note's self link as Nexus gave it (absent when Nexus gave none): kept so a later read is one GET. */
  selfHref?: string;
  /** The citizen's self link, when the walk that found the note knew it. */
  citizenHref?: string;
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
  on: { noteId: number } | { citizenId: number };
  typeName: string;
  title: string;
  description: string;
  dueDate: string; // YYYY-MM-DD
  organisationName: string;
}

export interface NexusPort {
  findMeetingNotes(q: MeetingNotesQuery): Promise<NexusNote[]>;
  /** The note's current version; `knownHref` (its self link from an earlier read) makes it one GET. */
  getNote(noteId: number, knownHref?: string): Promise<NexusNote>;
  getCitizen(citizenId: number): Promise<NexusCitizen>;
  /** CPR and names without the conditions (one Nexus call fewer): for the steps that only address the citizen. */
  getCitizenIdentity(citizenId: number): Promise<NexusCitizenIdentity>;
  getRelations(citizenId: number): Promise<NexusRelation[]>;
  findOrganisation(name: string): Promise<NexusOrganisation | null>;
  attachOrganisation(citizenId: number, orgName: string): Promise<NexusRelation>;
  detachOrganisation(relation: NexusRelation): Promise<void>;
  /** Writes hh:mm into the note's time item, keeping its workflow state; no-op if already set. */
  setNoteTime(noteId: number, hhmm: string): Promise<NoteWriteResult>;
  /**
   * Empties the note's time item if it still holds `written` (the time tsm-bridge wrote there);
   * no-op when a person has changed it, when it is empty, or when the note is locked.
   */
  clearNoteTime(noteId: number, written: string): Promise<NoteWriteResult>;
  /** Moves the note to the locked state; no-op if already locked. */
  lockNote(noteId: number): Promise<NoteWriteResult>;
  /** Locked tagged notes updated since the cursor; the caller dedups by (id, version). */
  findLockedNotes(q: LockedNotesQuery): Promise<LockedNotesResult>;
  createTask(t: CreateTaskInput): Promise<{ id: number }>;
  /** Tasks already created on a note/citizen with this title (used to reconcile after a crash). */
  findTasks(on: CreateTaskInput['on'], title: string): Promise<Array<{ id: number; title: string }>>;
}
