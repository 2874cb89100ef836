import { copenhagenDate, parseInstant } from '../../../src/common/local-time';
import type { GpDirectory, GpPractice } from '../../../adapters/directory/directory.port';
import type { GpLetter, MedcomPort, SentLetter } from '../../../adapters/medcom/medcom.port';
import type {
  CreateTaskInput,
  LockedNotesQuery,
  MeetingNotesQuery,
  NexusCitizen,
  NexusCitizenIdentity,
  NexusNote,
  NexusOrganisation,
  NexusPort,
  NexusRelation,
  NoteWriteResult,
} from '../../../adapters/nexus/nexus.port';
import { PermanentError } from '../../../src/common/errors';
import { tagMatch } from '../../../src/domain/tags';
import type { Seed } from '../../../schemas/sandbox-seed.schema';
import { createFakeTask, findFakeTasks, identityOf } from '../../support/fake-nexus-tasks';

const TIME_ITEM = 'Tidspunkt';

/**
 * The whole Nexus port in memory, loaded from a sandbox seed, for testing the agenda workflows
 * without HTTP. It keeps effects (note versions, relations, tasks) so tests assert outcomes.
 */
export class FakeNexus implements NexusPort {
  notes = new Map<number, NexusNote>();
  citizens = new Map<number, NexusCitizen & { list: string }>();
  relations: NexusRelation[] = [];
  organisations: NexusOrganisation[] = [];
  tasks: Array<CreateTaskInput & { id: number }> = [];
  meetingQueries: MeetingNotesQuery[] = [];
  /** createTask creates the task, then fails this many times as if the reply was lost. */
  loseTaskReplies = 0;
  /** Organisations Nexus has no task assignee for: createTask answers 400. */
  refuseTasksFor = new Set<string>();
  private nextId = 70_000;

  constructor(seed: Seed, lists: Record<string, string> = {}, defaultList = 'Tværfagligt samarbejdsmøde – notater og aftaler') {
    this.organisations = seed.organizations.map((o) => ({ ...o }));
    for (const c of seed.citizens) {
      this.citizens.set(c.id, {
        id: c.id,
        cpr: c.cpr,
        firstName: c.firstName,
        lastName: c.lastName,
        fullName: `${c.firstName} ${c.lastName}`,
        conditions: [...c.conditions],
        list: (c.district && lists[c.district]) || defaultList,
      });
      for (const orgId of c.organizations)
        this.relate(
          c.id,
          this.organisations.find((o) => o.id === orgId)!,
        );
      for (const n of c.notes) {
        this.notes.set(n.id, {
          id: n.id,
          version: 1,
          citizenId: c.id,
          formTitle: n.formTitle,
          state: n.state,
          locked: n.state === 'Låst',
          createDate: n.createDate,
          observationTimestamp: n.observationTimestamp,
          items: { ...n.items },
          tags: [...n.tags],
        });
      }
    }
  }

  private relate(citizenId: number, organisation: NexusOrganisation): NexusRelation {
    const rel = { id: this.nextId++, citizenId, organisation: { ...organisation } };
    this.relations.push(rel);
    return rel;
  }

  async findMeetingNotes(q: MeetingNotesQuery): Promise<NexusNote[]> {
    this.meetingQueries.push(q);
    return [...this.notes.values()]
      .filter((n) => !q.citizenList || this.citizens.get(n.citizenId)?.list === q.citizenList)
      .filter((n) => n.formTitle === q.formTitle && tagMatch(n.tags, q.tag) !== null)
      .filter((n) => {
        const t = parseInstant(n.observationTimestamp);
        const day = t && copenhagenDate(t);
        return day !== null && day <= q.observationDate && day >= (q.observationFrom ?? q.observationDate);
      })
      .map((n) => ({ ...n, items: { ...n.items } }));
  }

  async getNote(noteId: number): Promise<NexusNote> {
    const n = this.notes.get(noteId);
    if (!n) throw new PermanentError(`note ${noteId} not found`, 'NEXUS_NOT_FOUND', 'nexus', 404);
    return { ...n, items: { ...n.items } };
  }

  async getCitizen(citizenId: number): Promise<NexusCitizen> {
    const c = this.citizens.get(citizenId);
    if (!c) throw new PermanentError(`citizen ${citizenId} not found`, 'NEXUS_NOT_FOUND', 'nexus', 404);
    const { list: _list, ...citizen } = c;
    return { ...citizen, conditions: [...citizen.conditions] };
  }

  async getCitizenIdentity(citizenId: number): Promise<NexusCitizenIdentity> {
    return identityOf(await this.getCitizen(citizenId));
  }

  async getRelations(citizenId: number): Promise<NexusRelation[]> {
    return this.relations.filter((r) => r.citizenId === citizenId).map((r) => ({ ...r }));
  }

  async findOrganisation(name: string): Promise<NexusOrganisation | null> {
    return this.organisations.find((o) => o.name === name) ?? null;
  }

  async attachOrganisation(citizenId: number, orgName: string): Promise<NexusRelation> {
    const org = await this.findOrganisation(orgName);
    if (!org) throw new PermanentError('unknown organisation', 'NEXUS_UNKNOWN_ORGANISATION', 'nexus', 400);
    return this.relations.find((r) => r.citizenId === citizenId && r.organisation.id === org.id) ?? this.relate(citizenId, org);
  }

  async detachOrganisation(relation: NexusRelation): Promise<void> {
    this.relations = this.relations.filter((r) => r.id !== relation.id);
  }

  async setNoteTime(noteId: number, hhmm: string): Promise<NoteWriteResult> {
    const n = this.notes.get(noteId);
    if (!n) throw new PermanentError(`note ${noteId} not found`, 'NEXUS_NOT_FOUND', 'nexus', 404);
    if (n.items[TIME_ITEM] === hhmm) return { changed: false, version: n.version };
    n.items[TIME_ITEM] = hhmm;
    n.version++;
    return { changed: true, version: n.version };
  }

  async clearNoteTime(noteId: number, written: string): Promise<NoteWriteResult> {
    const n = this.notes.get(noteId);
    if (!n) throw new PermanentError(`note ${noteId} not found`, 'NEXUS_NOT_FOUND', 'nexus', 404);
    if (n.locked || n.items[TIME_ITEM] !== written) return { changed: false, version: n.version };
    n.items[TIME_ITEM] = '';
    n.version++;
    return { changed: true, version: n.version };
  }

  async lockNote(noteId: number): Promise<NoteWriteResult> {
    const n = this.notes.get(noteId)!;
    if (n.locked) return { changed: false, version: n.version };
    Object.assign(n, { locked: true, state: 'Låst', version: n.version + 1 });
    return { changed: true, version: n.version };
  }

  async findLockedNotes(q: LockedNotesQuery): Promise<{ notes: NexusNote[]; cursor: string }> {
    return { notes: [...this.notes.values()].filter((n) => n.locked), cursor: q.since };
  }

  async createTask(t: CreateTaskInput): Promise<{ id: number }> {
    if (this.refuseTasksFor.has(t.organisationName))
      throw new PermanentError('no assignee for organisation', 'NEXUS_BAD_REQUEST', 'nexus', 400);
    return createFakeTask(this, { ...t, id: this.nextId++ });
  }

  async findTasks(on: CreateTaskInput['on'], title: string): Promise<Array<{ id: number; title: string }>> {
    return findFakeTasks(this, on, title);
  }

  /** Adds a note as a coordinator would type it in Nexus. */
  addNote(note: Omit<NexusNote, 'version' | 'state' | 'locked'>): void {
    this.notes.set(note.id, { ...note, version: 1, state: 'Kladde', locked: false });
  }
}

export const PRACTICE: GpPractice = {
  ydernummer: '024015',
  ean: '5790000000012',
  sor: '123456789012',
  name: 'Lægerne i Solhøj',
  formats: ['xdis91'],
};

/** CPRs listed in `unknown` have no GP (GP_UNKNOWN, as the real directory answers). */
export class FakeDirectory implements GpDirectory {
  constructor(private readonly unknown: ReadonlySet<string> = new Set()) {}

  async practiceFor(cpr: string): Promise<GpPractice> {
    if (this.unknown.has(cpr)) throw new PermanentError('no GP registered for the citizen', 'GP_UNKNOWN', 'directory');
    return PRACTICE;
  }
}

/** One letter per idempotency key, like the real port. */
export class FakeMedcom implements MedcomPort {
  letters = new Map<string, { letter: GpLetter; letterId: string }>();
  handovers = 0;

  async send(letter: GpLetter): Promise<SentLetter> {
    const known = this.letters.get(letter.idempotencyKey);
    if (known) return { letterId: known.letterId, envelopeId: `E-${known.letterId}`, format: 'xdis91', state: 'sent', reused: true };
    this.handovers++;
    const letterId = `L${this.letters.size + 1}`;
    this.letters.set(letter.idempotencyKey, { letter, letterId });
    return { letterId, envelopeId: `E-${letterId}`, format: 'xdis91', state: 'sent', reused: false };
  }

  async status(): Promise<null> {
    return null;
  }
}
