import type { GpDirectory, GpPractice } from '../../../adapters/directory/directory.port';
import type { GpLetter, LetterState, MedcomPort, SentLetter } from '../../../adapters/medcom/medcom.port';
import type {
  CreateTaskInput,
  LockedNotesQuery,
  NexusCitizen,
  NexusCitizenIdentity,
  NexusNote,
  NexusPort,
  NoteLocation,
} from '../../../adapters/nexus/nexus.port';
import { createFakeTask, findFakeTasks, identityOf } from '../../support/fake-nexus-tasks';

/**
 * In-memory stand-ins for the ports, for testing the after-meeting orchestration alone. They keep
 * every effect they were asked for, so tests count effects rather than calls.
 */
export class FakeNexus implements Pick<
  NexusPort,
  'getNote' | 'getCitizen' | 'findLockedNotes' | 'createTask' | 'findTasks' | 'findOrganisation'
> {
  /** The organisations Nexus knows (names to attach that it does not are the coordinator's task). */
  organisations = ['Visitator', 'Demensspecialister', 'Sygeplejersker', 'Hjemmeplejen', 'Koordinerende rolle'];
  notes = new Map<number, NexusNote>();
  citizens = new Map<number, NexusCitizen>();
  tasks: Array<{ id: number; on: CreateTaskInput['on']; title: string; description: string; organisationName: string; dueDate: string }> =
    [];
  lockedQueries: LockedNotesQuery[] = [];
  /** createTask creates the task and then fails this many times as if the reply was lost. */
  loseTaskReplies = 0;
  private nextTaskId = 9000;
  private clock = Date.parse('2026-12-03T10:00:00Z'); // before the tests' "now" (11:00)

  addCitizen(id: number, cpr: string): void {
    this.citizens.set(id, { id, cpr, firstName: 'Test', lastName: `Borger${id}`, fullName: `Test Borger${id}`, conditions: [] });
  }

  addNote(id: number, citizenId: number, items: Record<string, string>, opts: { locked?: boolean; version?: number } = {}): NexusNote {
    const note: NexusNote = {
      id,
      version: opts.version ?? 3,
      citizenId,
      formTitle: 'Samlet faglig vurdering',
      state: opts.locked === false ? 'Kladde' : 'Låst',
      locked: opts.locked !== false,
      createDate: '2026-11-20T09:00:00+01:00',
      updateDate: this.tick(),
      observationTimestamp: '2026-12-03T00:00:00+01:00',
      selfHref: `/formData/${id}`,
      items,
      tags: ['ÆS – Tværfagligt samarbejdsmøde'],
    };
    this.notes.set(id, note);
    return note;
  }

  /** A later edit: the version goes up, the note is locked again (or left open) with new items. */
  relock(id: number, items: Record<string, string>, locked = true): NexusNote {
    const old = this.notes.get(id)!;
    const note = {
      ...old,
      version: old.version + 1,
      items: { ...old.items, ...items },
      locked,
      state: locked ? 'Låst' : 'Kladde',
      updateDate: this.tick(),
    };
    this.notes.set(id, note);
    return note;
  }

  private tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  /** Every read of a note by id, with where the caller said it is. */
  noteReads: Array<{ noteId: number; at?: NoteLocation }> = [];

  async getNote(noteId: number, at?: NoteLocation): Promise<NexusNote> {
    this.noteReads.push({ noteId, ...(at ? { at } : {}) });
    const n = this.notes.get(noteId);
    if (!n) throw new Error(`no note ${noteId}`);
    return { ...n, items: { ...n.items } };
  }

  async getCitizen(citizenId: number): Promise<NexusCitizen> {
    return this.citizens.get(citizenId)!;
  }

  async getCitizenIdentity(citizenId: number): Promise<NexusCitizenIdentity> {
    return identityOf(await this.getCitizen(citizenId));
  }

  async findLockedNotes(q: LockedNotesQuery): Promise<{ notes: NexusNote[]; cursor: string }> {
    this.lockedQueries.push(q);
    const since = Date.parse(q.since);
    const notes = [...this.notes.values()].filter((n) => n.locked && Date.parse(n.updateDate!) >= since);
    const cursor = notes.reduce((c, n) => (Date.parse(n.updateDate!) > Date.parse(c) ? n.updateDate! : c), q.since);
    return { notes, cursor };
  }

  async createTask(t: CreateTaskInput): Promise<{ id: number }> {
    return createFakeTask(this, {
      id: this.nextTaskId++,
      on: t.on,
      title: t.title,
      description: t.description,
      organisationName: t.organisationName,
      dueDate: t.dueDate,
    });
  }

  async findOrganisation(name: string): Promise<{ id: number; name: string } | null> {
    const i = this.organisations.findIndex((o) => o.toLowerCase() === name.trim().toLowerCase());
    return i < 0 ? null : { id: 100 + i, name: this.organisations[i] };
  }

  async findTasks(on: CreateTaskInput['on'], title: string): Promise<Array<{ id: number; title: string }>> {
    return findFakeTasks(this, on, title);
  }
}

export const practice: GpPractice = {
  ydernummer: '024015',
  ean: '5790000000012',
  sor: '123456789012',
  name: 'Lægerne i Solhøj',
  formats: ['xdis91'],
};

export class FakeDirectory implements GpDirectory {
  async practiceFor(): Promise<GpPractice> {
    return practice;
  }
}

/** One letter id per idempotency key, like the real port's ledger; receipts are set by the test. */
export class FakeMedcom implements MedcomPort {
  letters = new Map<string, { letter: GpLetter; letterId: string; state: LetterState }>();
  handovers = 0;

  async send(letter: GpLetter): Promise<SentLetter> {
    const known = this.letters.get(letter.idempotencyKey);
    if (known) return { letterId: known.letterId, envelopeId: `E${known.letterId}`, format: 'xdis91', state: known.state, reused: true };
    this.handovers++;
    const letterId = `L${this.letters.size + 1}`;
    this.letters.set(letter.idempotencyKey, { letter, letterId, state: 'sent' });
    return { letterId, envelopeId: `E${letterId}`, format: 'xdis91', state: 'sent', reused: false };
  }

  async status(letterId: string) {
    const l = [...this.letters.values()].find((x) => x.letterId === letterId);
    return l ? { state: l.state, resends: 0 } : null;
  }

  acknowledgeAll(): void {
    for (const l of this.letters.values()) l.state = 'acknowledged';
  }
}

/** Files each (source id, title) once, like DocumentJournal's ledger does. */
export class FakeJournal {
  documents = new Map<string, { title: string; sourceId: string; noteId?: number; cpr: string }>();

  async journal(req: { cpr?: string; sourceId: string; title: string; noteId?: number; pdf: Buffer }) {
    const ledgerKey = `edoc:meeting-note:${req.sourceId}`;
    if (!this.documents.has(ledgerKey))
      this.documents.set(ledgerKey, { title: req.title, sourceId: req.sourceId, noteId: req.noteId, cpr: req.cpr! });
    return { documentIdentifier: `D-${req.sourceId}`, outcome: 'performed' as const, title: req.title, ledgerKey };
  }
}
