import nock from 'nock';
import { NexusClient, NexusClientOptions } from '../../../adapters/nexus/nexus.client';
import { integrationFailure } from '../../support/integration-failure';
import * as f from './fixtures';

/**
 * The real NexusClient over response bodies shaped like the public municipal clients read them
 * (fixtures.ts names the source of each), one variant at a time. nock fails any call the client was
 * not expected to make, so "not fetched" is asserted by the absence of an interceptor.
 */
const { NEXUS, BASE, IAM, TOKEN, TITLE, TAG, LIST, VIEW } = f;
const MEETING = { observationDate: '2026-12-03', formTitle: TITLE, tag: TAG };
const SINCE = '2026-12-01T00:00:00.000Z';

const clients: NexusClient[] = [];
function client(over: Partial<NexusClientOptions> = {}): NexusClient {
  const c = new NexusClient({
    connection: { baseUrl: `${NEXUS}${BASE}/`, tokenUrl: `${IAM}${TOKEN}`, clientId: 'tsm', clientSecret: 's3cret' },
    names: { citizenList: LIST, citizenView: VIEW, timeItemLabel: 'Tidspunkt', lockedAction: 'Låst', draftStates: ['Kladde', 'Aktivt'] },
    timeoutMs: 1000,
    concurrency: 2,
    readRetries: { attempts: 0, baseDelayMs: 0 },
    now: () => Date.parse('2026-12-03T10:00:00Z'),
    ...over,
  });
  clients.push(c);
  return c;
}

const api = () => nock(NEXUS);
function signIn(): void {
  nock(IAM).post(TOKEN).reply(200, f.token);
}
/** Token, home, preferences, list, content and the list page of these citizens. */
function list(ids: number[], summaries = ids.map((id) => f.patientSummary(id))): void {
  signIn();
  api()
    .get(`${BASE}/`)
    .reply(200, f.home)
    .get(`${BASE}/preferences`)
    .reply(200, f.preferences)
    .get(`${BASE}/lists/31`)
    .reply(200, f.citizenList)
    .get(`${BASE}/lists/31/content`)
    .reply(200, f.listContent(ids))
    .get(`${BASE}/patients`)
    .query({ ids: ids.join(',') })
    .reply(200, summaries);
}
/** One citizen's record → preferences → view → this tree. */
function citizen(id: number, nodes: unknown[]): void {
  api()
    .get(`${BASE}/patients/${id}`)
    .reply(200, f.patient(id))
    .get(`${BASE}/patients/${id}/preferences`)
    .reply(200, f.patientPreferences(id))
    .get(`${BASE}/patients/${id}/views/1`)
    .reply(200, f.view(id))
    .get(`${BASE}/patients/${id}/views/1/references`)
    .reply(200, f.tree(id, nodes));
}

beforeAll(() => nock.disableNetConnect());
// Un-patch http for the next test file in this Jest worker (nock's interceptor is process-wide).
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
afterEach(() => {
  clients.splice(0).forEach((c) => c.shutdown());
  nock.cleanAll();
});

describe('node → note, in each public spelling', () => {
  const variants: Array<[string, (id: number) => unknown, () => void]> = [
    [
      '_links.referencedObject (Odense, KMD)',
      (id) => f.nodeReferencedObject(id),
      () => api().get(`${BASE}/forms/5001`).reply(200, f.form(5001, 1001)),
    ],
    [
      '_links.referenceObject (Nyborg, Ringsted)',
      (id) => f.nodeReferenceObject(id),
      () => api().get(`${BASE}/forms/5001`).reply(200, f.form(5001, 1001)),
    ],
    [
      'self only, the form itself (Odense hent_fra_reference)',
      (id) => f.nodeSelfIsForm(id),
      () => api().get(`${BASE}/forms/5001`).reply(200, f.form(5001, 1001)),
    ],
    [
      'self only, a reference document → referenceObject (Nyborg close_item)',
      (id) => f.nodeSelfIsDocument(id),
      () =>
        api()
          .get(`${BASE}/references/405001`)
          .reply(200, f.referenceDocument(5001))
          .get(`${BASE}/forms/5001`)
          .reply(200, f.form(5001, 1001)),
    ],
  ];
  it.each(variants)('%s', async (_label, node, forms) => {
    list([1001]);
    citizen(1001, [node(5001)]);
    forms();
    const notes = await client().findMeetingNotes(MEETING);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ id: 5001, citizenId: 1001, formTitle: TITLE, state: 'Kladde', selfHref: `${BASE}/forms/5001` });
    expect(nock.isDone()).toBe(true);
  });

  it('a node with none of the three links is a bad response, named as such', async () => {
    list([1001]);
    citizen(1001, [{ ...f.nodeSelfIsForm(5001), _links: {} }]);
    expect(await integrationFailure(client().findMeetingNotes(MEETING))).toMatchObject({
      code: 'NEXUS_BAD_RESPONSE',
      message: expect.stringContaining('referenceObject'),
    });
  });
});

describe('node titles under formDefinition.title', () => {
  it('matches by formDefinition.title before name, and skips other titles, deleted forms and other activity types without fetching them', async () => {
    list([1001]);
    citizen(1001, [
      f.nodeFormDefinitionTitle(5001, TITLE), // name "Skema": found by formDefinition.title
      f.nodeFormDefinitionTitle(5002, 'Handleplan'),
      f.nodeFormDefinitionTitle(5003, TITLE, { formDataStatus: 'DELETED' }),
      f.nodeFormDefinitionTitle(5004, TITLE, { patientActivityType: 'document' }),
    ]);
    api()
      .get(`${BASE}/forms/5001`)
      .reply(200, f.form(5001, 1001, { workflowState: { id: 2, name: 'Aktivt' } }));
    const notes = await client().findMeetingNotes(MEETING);
    expect(notes.map((n) => [n.id, n.state, n.locked])).toEqual([[5001, 'Aktivt', false]]);
    expect(nock.isDone()).toBe(true);
  });

  it('the locked-note watch fetches only nodes whose workflowState.name is the locked state', async () => {
    list([1001]);
    citizen(1001, [
      { ...f.nodeFormDefinitionTitle(5001, TITLE), workflowState: { id: 3, name: 'Låst' } },
      f.nodeFormDefinitionTitle(5002, TITLE), // "Aktivt": a draft, not fetched
      { ...f.nodeReferencedObject(5003, 'Kladde') }, // a draft, not fetched
    ]);
    api()
      .get(`${BASE}/forms/5001`)
      .reply(200, f.form(5001, 1001, { workflowState: { id: 3, name: 'Låst' } }));
    const r = await client().findLockedNotes({ since: SINCE, formTitle: TITLE, tag: TAG });
    expect(r.notes.map((n) => [n.id, n.locked])).toEqual([[5001, true]]);
    expect(nock.isDone()).toBe(true);
  });
});

describe('draft states "Aktivt" and "Kladde"', () => {
  const at = { selfHref: `${BASE}/forms/5001` };
  it.each([
    ['Kladde', ['Kladde', 'Låst'], 1],
    ['Aktivt', ['Aktivt', 'Inaktivt', 'Låst'], 1],
    ['Aktiv', ['Aktivt', 'Inaktivt', 'Låst'], 1], // state spelled as an adjective, action as Odense names it
  ])('a time written on a note in "%s" is saved through a draft action, never the lock', async (state, names, actionNo) => {
    signIn();
    let body: Record<string, unknown> | undefined;
    api()
      .get(`${BASE}/forms/5001`)
      .reply(200, f.form(5001, 1001, { workflowState: { id: 1, name: state } }))
      .get(`${BASE}/forms/5001/actions`)
      .reply(200, f.actions(5001, names))
      .put(`${BASE}/forms/5001/actions/${actionNo}`, (b) => {
        body = b;
        return true;
      })
      .reply(200, { ...f.form(5001, 1001), version: 4 });
    expect(await client().setNoteTime(5001, '09:30', at)).toEqual({ changed: true, version: 4 });
    expect((body?.items as Array<{ label: string; value: unknown }>).find((i) => i.label === 'Tidspunkt')?.value).toBe('09:30');
  });

  it('a state with no draft action of its kind is refused, not saved through another state', async () => {
    signIn();
    api()
      .get(`${BASE}/forms/5001`)
      .reply(200, f.form(5001, 1001, { workflowState: { id: 9, name: 'Inaktivt' } }))
      .get(`${BASE}/forms/5001/actions`)
      .reply(200, f.actions(5001, ['Kladde', 'Låst']));
    expect(await integrationFailure(client().setNoteTime(5001, '09:30', at))).toMatchObject({ code: 'NEXUS_ACTION_MISSING' });
  });
});

describe('locking checks the required items first', () => {
  const at = { selfHref: `${BASE}/forms/5001` };
  it('refuses before any write while a required item is empty (clear code, Danish text naming the item)', async () => {
    signIn();
    api().get(`${BASE}/forms/5001`).reply(200, f.form(5001, 1001));
    const err = await integrationFailure(client().lockNote(5001, at));
    expect(err).toMatchObject({ code: 'NEXUS_REQUIRED_ITEMS_EMPTY', errorClass: 'permanent' });
    expect(err.message).toContain('påkrævede felt');
    expect(err.message).toContain('Konklusion og aftaler');
    expect(nock.isDone()).toBe(true);
  });

  it('locks through "Låst" once the required items are filled', async () => {
    signIn();
    const filled = f.form(5001, 1001);
    filled.items[0] = { ...filled.items[0], value: 'Aftalt: genoptræning' };
    api()
      .get(`${BASE}/forms/5001`)
      .reply(200, filled)
      .get(`${BASE}/forms/5001/actions`)
      .reply(200, f.actions(5001, ['Aktivt', 'Låst']))
      .put(`${BASE}/forms/5001/actions/2`)
      .reply(200, { ...filled, version: 4, workflowState: { id: 2, name: 'Låst' } });
    expect(await client().lockNote(5001, at)).toEqual({ changed: true, version: 4 });
  });
});

describe('inaccessible citizens', () => {
  it('isPatientAccessible: false and a 404 on the record are skipped and reported by id; the others are read', async () => {
    list([1001, 1002, 1003], [f.patientSummary(1001), f.patientSummary(1002, { isPatientAccessible: false }), f.patientSummary(1003)]);
    citizen(1001, [f.nodeReferencedObject(5001, 'Låst')]);
    api().get(`${BASE}/patients/1003`).reply(404, { message: 'Not found', reason: 'NotFound' });
    api()
      .get(`${BASE}/forms/5001`)
      .reply(200, f.form(5001, 1001, { workflowState: { id: 3, name: 'Låst' } }));
    const r = await client().findLockedNotes({ since: SINCE, formTitle: TITLE, tag: TAG });
    expect(r.notes.map((n) => n.id)).toEqual([5001]);
    expect(r.inaccessibleCitizens).toEqual([1002, 1003]);
    expect(r.unreadCitizens).toBeUndefined();
    expect(r.cursor).toBe('2026-12-03T12:00:00.000Z'); // skipped on purpose: the cursor moves on
  });

  it('the agenda read skips them too instead of failing', async () => {
    list([1001, 1002], [f.patientSummary(1001), f.patientSummary(1002, { patientAccessible: false })]);
    citizen(1001, [f.nodeReferencedObject(5001)]);
    api().get(`${BASE}/forms/5001`).reply(200, f.form(5001, 1001));
    expect((await client().findMeetingNotes(MEETING)).map((n) => n.citizenId)).toEqual([1001]);
  });

  it('a re-walk by citizen id of a citizen the user may not see is NEXUS_PATIENT_INACCESSIBLE', async () => {
    signIn();
    api().get(`${BASE}/patient/1002/preferences/`).reply(404, { message: 'Not found' });
    expect(await integrationFailure(client().findCitizenNote(1002, 5001))).toMatchObject({
      code: 'NEXUS_PATIENT_INACCESSIBLE',
      errorClass: 'permanent',
    });
  });
});

describe('a note found again without an invented path', () => {
  it('by citizen id: patient/{id}/preferences/ → view → tree → the node of that form id only', async () => {
    signIn();
    api()
      .get(`${BASE}/patient/1001/preferences/`)
      .reply(200, f.patientPreferences(1001))
      .get(`${BASE}/patients/1001/views/1`)
      .reply(200, f.view(1001))
      .get(`${BASE}/patients/1001/views/1/references`)
      .reply(200, f.tree(1001, [f.nodeReferenceObject(5000), f.nodeReferenceObject(5001)]))
      .get(`${BASE}/forms/5001`)
      .reply(200, f.form(5001, 1001));
    const c = client();
    expect(await c.getNote(5001, { citizenId: 1001 })).toMatchObject({ id: 5001, selfHref: `${BASE}/forms/5001` });
    api()
      .get(`${BASE}/forms/5001`)
      .reply(200, f.form(5001, 1001, { version: 5 }));
    expect(await c.getNote(5001)).toMatchObject({ version: 5 }); // its self href is known now: one call
    expect(nock.isDone()).toBe(true);
  });

  it('by a self href kept from an earlier read (one call)', async () => {
    signIn();
    api().get(`${BASE}/forms/5001`).reply(200, f.form(5001, 1001));
    expect(await client().getNoteAt(`${BASE}/forms/5001`)).toMatchObject({ id: 5001, citizenId: 1001 });
  });
});

describe('relations', () => {
  it('without removeFromPatient in the list, the relation is re-read through its self and removed by its removeFromPatient', async () => {
    signIn();
    api()
      .get(`${BASE}/`)
      .reply(200, f.home)
      .get(`${BASE}/patients`)
      .query({ ids: '1001' })
      .reply(200, [f.patientSummary(1001)])
      .get(`${BASE}/patients/1001`)
      .reply(200, f.patient(1001))
      .get(`${BASE}/patients/1001/organizations`)
      .reply(200, [f.relationListed(70001, 11, 'Visitator')])
      .get(`${BASE}/relations/70001`)
      .reply(200, f.relationFull(70001, 11, 'Visitator'))
      .delete(`${BASE}/relations/70001/remove`)
      .reply(200, {});
    const c = client();
    const [relation] = await c.getRelations(1001);
    expect(relation).toMatchObject({ id: 70001, organisation: { id: 11, name: 'Visitator' } });
    expect(relation.removeHref).toBeUndefined();
    await c.detachOrganisation(relation);
    expect(nock.isDone()).toBe(true);
  });
});

describe('date writes', () => {
  it('a date-typed time item is written as the meeting-day instant in UTC with Z', async () => {
    signIn();
    const dated = f.form(5001, 1001);
    dated.items[1] = { ...dated.items[1], type: 'date' };
    let written: unknown;
    api()
      .get(`${BASE}/forms/5001`)
      .reply(200, dated)
      .get(`${BASE}/forms/5001/actions`)
      .reply(200, f.actions(5001, ['Kladde', 'Låst']))
      .put(`${BASE}/forms/5001/actions/1`, (b) => {
        written = (b.items as Array<{ label: string; value: unknown }>).find((i) => i.label === 'Tidspunkt')?.value;
        return true;
      })
      .reply(200, { ...dated, version: 4 });
    await client().setNoteTime(5001, '09:30', { selfHref: `${BASE}/forms/5001` });
    // 09:30 in Copenhagen on 2026-12-03 (winter, UTC+1)
    expect(written).toBe('2026-12-03T08:30:00.000Z');
  });
});

describe('per-call timeouts', () => {
  it("the citizen list's content gets the long list timeout; other calls the normal one", async () => {
    signIn();
    api()
      .get(`${BASE}/`)
      .reply(200, f.home)
      .get(`${BASE}/preferences`)
      .reply(200, f.preferences)
      .get(`${BASE}/lists/31`)
      .reply(200, f.citizenList)
      .get(`${BASE}/lists/31/content`)
      .delay(800)
      .reply(200, { totalItems: 0, pages: [] });
    expect(await client({ timeoutMs: 400, listTimeoutMs: 5000 }).findMeetingNotes(MEETING)).toEqual([]);

    signIn();
    const slow = api().get(`${BASE}/`).reply(200, f.home).get(`${BASE}/preferences`).delay(800).reply(200, f.preferences);
    // The home answer, then the late preferences answer: the test waits for both, so no timer outlives it.
    let replies = 0;
    const answered = new Promise<void>((resolve) => slow.on('replied', () => ++replies === 2 && resolve()));
    expect(await integrationFailure(client({ timeoutMs: 400, listTimeoutMs: 5000 }).findMeetingNotes(MEETING))).toMatchObject({
      code: 'TIMEOUT',
    });
    await answered;
  });
});
