import nock from 'nock';
import {
  NexusClient,
  NexusClientOptions,
  nexusHomeState,
  ORGANISATIONS_FRESH_MS,
  TASK_NAVIGATION_MS,
} from '../../../adapters/nexus/nexus.client';
import { integrationFailure } from '../../support/integration-failure';

/** NexusClient against a nock-scripted Nexus: auth, navigation, writes, errors, breaker. */
const NEXUS = 'https://solhoej.nexus.kmd.dk';
const BASE = '/api/core/mobile/solhoej/v2';
const IAM = 'https://iam.nexus.kmd.dk';
const TOKEN = '/authx/realms/solhoej/protocol/openid-connect/token';
const TAG = 'ÆS – Tværfagligt samarbejdsmøde';
const TITLE = 'Samlet faglig vurdering';
/** Where the client finds form 5001 when it has not walked to it: the self href kept from an earlier read. */
const AT = { selfHref: `${BASE}/formData/5001` };

let clock = 0;
const clients: NexusClient[] = [];
function client(over: Partial<NexusClientOptions> = {}): NexusClient {
  const c = new NexusClient({
    connection: { baseUrl: `${NEXUS}${BASE}/`, tokenUrl: `${IAM}${TOKEN}`, clientId: 'tsm', clientSecret: 's3cret' },
    names: {
      citizenList: 'Tværfagligt samarbejdsmøde – notater og aftaler',
      citizenView: '- Alt',
      timeItemLabel: 'Tidspunkt',
      lockedAction: 'Låst',
    },
    timeoutMs: 1000,
    concurrency: 4,
    now: () => clock,
    ...over,
  });
  clients.push(c);
  return c;
}

function tokens(...values: string[]): nock.Scope {
  const scope = nock(IAM);
  for (const v of values) {
    scope
      .post(TOKEN, (body) => body.grant_type === 'client_credentials' && body.client_id === 'tsm' && body.client_secret === 's3cret')
      .reply(200, { access_token: v, expires_in: 100, token_type: 'Bearer' });
  }
  return scope;
}

function form(over: Record<string, unknown> = {}) {
  return {
    id: 5001,
    version: 1,
    formDefinition: { id: 1, title: TITLE },
    patient: { id: 1001 },
    observationTimestamp: '2026-12-02T23:00:00.000+0000',
    createDate: '2026-11-23T08:15:00.000+0000',
    updateDate: '2026-11-23T08:15:00.000+0000',
    workflowState: { id: 1, name: 'Kladde' },
    items: [
      { id: 1, type: 'text', label: 'Emne', value: 'Tekst' },
      { id: 2, type: 'text', label: 'Tidspunkt', value: null },
    ],
    tags: [{ id: 7, name: TAG, active: true }],
    _links: { self: { href: `${BASE}/formData/5001` }, availableActions: { href: `${BASE}/formData/5001/availableActions` } },
    ...over,
  };
}

const actions = [
  { id: 1, name: 'Kladde', _links: { updateFormData: { href: `${NEXUS}:443${BASE}/formData/5001/actions/1` } } },
  { id: 3, name: 'Låst', _links: { updateFormData: { href: `${BASE}/formData/5001/actions/3` } } },
];

beforeAll(() => nock.disableNetConnect());
// Un-patch http for the next test file in this Jest worker (nock's interceptor is process-wide).
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
beforeEach(() => {
  clock = 1_000_000;
});
afterEach(() => {
  clients.splice(0).forEach((c) => c.shutdown());
  nock.cleanAll();
});

describe('auth', () => {
  it('caches the token and renews it at 90 % of expires_in', async () => {
    const iam = tokens('t1', 't2');
    const api = nock(NEXUS)
      .get(`${BASE}/formData/5001`)
      .times(2)
      .matchHeader('authorization', 'Bearer t1')
      .reply(200, form())
      .get(`${BASE}/formData/5001`)
      .matchHeader('authorization', 'Bearer t2')
      .reply(200, form());
    const nexus = client();
    await nexus.getNote(5001, AT);
    clock += 89_000; // 89 % of 100 s: still the cached token
    await nexus.getNote(5001, AT);
    expect(iam.pendingMocks()).toHaveLength(1);
    clock += 2_000; // 91 %
    await nexus.getNote(5001, AT);
    expect(iam.isDone()).toBe(true);
    expect(api.isDone()).toBe(true);
  });

  it('shares one token request between concurrent calls', async () => {
    const iam = tokens('t1');
    nock(NEXUS).get(`${BASE}/formData/5001`).times(3).reply(200, form());
    const nexus = client();
    await Promise.all([nexus.getNote(5001, AT), nexus.getNote(5001, AT), nexus.getNote(5001, AT)]);
    expect(iam.isDone()).toBe(true);
  });

  it('renews once on 401 and repeats the call', async () => {
    tokens('t1', 't2');
    const api = nock(NEXUS)
      .get(`${BASE}/formData/5001`)
      .matchHeader('authorization', 'Bearer t1')
      .reply(401, '')
      .get(`${BASE}/formData/5001`)
      .matchHeader('authorization', 'Bearer t2')
      .reply(200, form());
    await expect(client().getNote(5001, AT)).resolves.toMatchObject({ id: 5001 });
    expect(api.isDone()).toBe(true);
  });

  it('gives up after one renewal: a second 401 is a permanent HTTP_401', async () => {
    const iam = tokens('t1', 't2', 't3');
    nock(NEXUS).get(`${BASE}/formData/5001`).times(2).reply(401, { message: 'Unauthorized', reason: 'InvalidToken' });
    const err = await integrationFailure(client().getNote(5001, AT));
    expect(err).toMatchObject({ code: 'HTTP_401', errorClass: 'permanent', status: 401 });
    expect(iam.pendingMocks()).toHaveLength(1); // t3 never asked for
  });

  it('classifies refused credentials without echoing the secret', async () => {
    nock(IAM).post(TOKEN).reply(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
    const err = await integrationFailure(client().getNote(5001, AT));
    expect(err).toMatchObject({ code: 'HTTP_401', errorClass: 'permanent' });
    expect(err.message).toContain('invalid_client');
    expect(err.message).not.toContain('s3cret');
  });

  it('a token answer without access_token is NEXUS_BAD_RESPONSE', async () => {
    nock(IAM).post(TOKEN).reply(200, { expires_in: 100 });
    expect(await integrationFailure(client().getNote(5001, AT))).toMatchObject({ code: 'NEXUS_BAD_RESPONSE', errorClass: 'permanent' });
  });
});

describe('navigation', () => {
  const home = (links: Record<string, string>) => ({ _links: Object.fromEntries(Object.entries(links).map(([k, href]) => [k, { href }])) });

  it('follows relative, root-relative, absolute and :443 hrefs and pages ids in calls of at most 50', async () => {
    tokens('t1');
    const ids = Array.from({ length: 120 }, (_, i) => i + 1);
    const seenIdCounts: number[] = [];
    const patient = (id: number) => ({
      id,
      _links: { patientPreferences: { href: `${BASE}/patients/${id}/preferences` }, self: { href: `${BASE}/patients/${id}` } },
    });
    const node = (formDataId: number, name: string) => ({
      type: 'formDataV2Reference',
      name,
      formDataId,
      _links: { referencedObject: { href: `${NEXUS}:443${BASE}/formData/${formDataId}` } },
    });
    nock(NEXUS)
      .get(`${BASE}/`)
      .reply(200, home({ preferences: `${NEXUS}:443${BASE}/preferences` }))
      .get(`${BASE}/preferences`)
      .reply(200, {
        CITIZEN_LIST: [
          { id: 6, name: 'Anden liste', _links: { self: { href: 'preferences/CITIZEN_LIST/6' } } },
          { id: 7, name: 'Tværfagligt samarbejdsmøde – notater og aftaler', _links: { self: { href: 'preferences/CITIZEN_LIST/7' } } },
        ],
      })
      .get(`${BASE}/preferences/CITIZEN_LIST/7`)
      .reply(200, { id: 7, _links: { content: { href: `${BASE}/preferences/CITIZEN_LIST/7/content` } } })
      .get(`${BASE}/preferences/CITIZEN_LIST/7/content`)
      .reply(200, {
        totalItems: 120,
        pageSize: 120,
        pages: [{ _links: { patientData: { href: `${NEXUS}:443${BASE}/patients?ids=${ids.join(',')}` } } }],
      })
      .get(`${BASE}/patients`)
      .query((q) => {
        const batch = String(q.ids).split(',').map(Number);
        seenIdCounts.push(batch.length);
        return true;
      })
      .times(3)
      .reply(200, (uri) => (new URL(uri, NEXUS).searchParams.get('ids')!.split(',')[0] === '1' ? [patient(1), patient(2)] : []))
      .get(`${BASE}/patients/1/preferences`)
      .reply(200, {
        CITIZEN_PATHWAY: [{ id: 1, name: '- Alt', _links: { self: { href: `${BASE}/patients/1/preferences/CITIZEN_PATHWAY/1` } } }],
      })
      .get(`${BASE}/patients/2/preferences`)
      .reply(200, {
        CITIZEN_PATHWAY: [{ id: 1, name: '- Alt', _links: { self: { href: `${BASE}/patients/2/preferences/CITIZEN_PATHWAY/1` } } }],
      })
      .get(`${BASE}/patients/1/preferences/CITIZEN_PATHWAY/1`)
      .reply(200, { _links: { pathwayReferences: { href: `${BASE}/patients/1/refs` } } })
      .get(`${BASE}/patients/2/preferences/CITIZEN_PATHWAY/1`)
      .reply(200, { _links: { pathwayReferences: { href: `${BASE}/patients/2/refs` } } })
      // Citizen 1: the meeting note, a note for another day, and a Handleplan that is never fetched.
      .get(`${BASE}/patients/1/refs`)
      .reply(200, [{ type: 'patientPathwayReference', children: [node(11, TITLE), node(12, TITLE), node(13, 'Handleplan')] }])
      .get(`${BASE}/patients/2/refs`)
      .reply(200, [node(21, TITLE)])
      .get(`${BASE}/formData/11`)
      .reply(200, form({ id: 11, patient: { id: 1 } }))
      .get(`${BASE}/formData/12`)
      .reply(200, form({ id: 12, patient: { id: 1 }, observationTimestamp: '2026-12-03T23:00:00.000+0000' }))
      // Offset-less "+0000" just before midnight UTC is already the meeting day in Copenhagen.
      .get(`${BASE}/formData/21`)
      .reply(200, form({ id: 21, patient: undefined, observationTimestamp: '2026-12-02T23:30:00.000+0000' }));

    const notes = await client().findMeetingNotes({ observationDate: '2026-12-03', formTitle: TITLE, tag: TAG });
    expect(notes.map((n) => [n.id, n.citizenId])).toEqual([
      [11, 1],
      [21, 2],
    ]);
    expect(seenIdCounts.sort((a, b) => a - b)).toEqual([20, 50, 50]);
    expect(nock.isDone()).toBe(true);
  });

  describe('findLockedNotes: one citizen Nexus cannot give', () => {
    const patient = (id: number) => ({
      id,
      _links: { patientPreferences: { href: `${BASE}/patients/${id}/preferences` }, self: { href: `${BASE}/patients/${id}` } },
    });
    const walk = (citizens: number[]) => {
      const scope = nock(NEXUS)
        .get(`${BASE}/`)
        .reply(200, home({ preferences: `${BASE}/preferences` }))
        .get(`${BASE}/preferences`)
        .reply(200, {
          CITIZEN_LIST: [
            { id: 7, name: 'Tværfagligt samarbejdsmøde – notater og aftaler', _links: { self: { href: 'preferences/CITIZEN_LIST/7' } } },
          ],
        })
        .get(`${BASE}/preferences/CITIZEN_LIST/7`)
        .reply(200, { id: 7, _links: { content: { href: `${BASE}/preferences/CITIZEN_LIST/7/content` } } })
        .get(`${BASE}/preferences/CITIZEN_LIST/7/content`)
        .reply(200, { pages: [{ _links: { patientData: { href: `${BASE}/patients?ids=${citizens.join(',')}` } } }] })
        .get(`${BASE}/patients`)
        .query(true)
        .reply(200, citizens.map(patient));
      return scope;
    };
    const lockedForm = (id: number, citizenId: number) =>
      form({
        id,
        patient: { id: citizenId },
        workflowState: { id: 3, name: 'Låst' },
        updateDate: '2026-12-03T12:00:00.000+0000',
        _links: { self: { href: `${BASE}/formData/${id}` } },
      });
    const readable = (citizenId: number, formId: number) =>
      nock(NEXUS)
        .get(`${BASE}/patients/${citizenId}/preferences`)
        .reply(200, { CITIZEN_PATHWAY: [{ id: 1, name: '- Alt', _links: { self: { href: `${BASE}/patients/${citizenId}/view` } } }] })
        .get(`${BASE}/patients/${citizenId}/view`)
        .reply(200, { _links: { pathwayReferences: { href: `${BASE}/patients/${citizenId}/refs` } } })
        .get(`${BASE}/patients/${citizenId}/refs`)
        .reply(200, [
          {
            type: 'formDataV2Reference',
            name: TITLE,
            formDataId: formId,
            _links: { referencedObject: { href: `${BASE}/formData/${formId}` } },
          },
        ])
        .get(`${BASE}/formData/${formId}`)
        .reply(200, lockedForm(formId, citizenId));
    const since = '2026-12-01T00:00:00.000Z';

    it("returns the other citizens' locked notes, names the unread citizen and keeps the cursor at since", async () => {
      tokens('t1');
      walk([1, 2]);
      readable(1, 11);
      nock(NEXUS).get(`${BASE}/patients/2/preferences`).reply(404, { message: 'not found' });
      const nexus = client();
      const r = await nexus.findLockedNotes({ since, formTitle: TITLE, tag: TAG });
      expect(r.notes.map((n) => [n.id, n.citizenId])).toEqual([[11, 1]]);
      expect(r.unreadCitizens).toEqual([{ citizenId: 2, code: 'HTTP_404' }]);
      expect(r.cursor).toBe(since);

      walk([1, 2]);
      readable(1, 11);
      readable(2, 21);
      const next = await nexus.findLockedNotes({ since, formTitle: TITLE, tag: TAG });
      expect(next.notes.map((n) => n.id)).toEqual([11, 21]);
      expect(next.unreadCitizens).toBeUndefined();
      expect(next.cursor).toBe('2026-12-03T12:00:00.000Z');
    });

    it('fails when no citizen at all could be read (Nexus down, not one bad record)', async () => {
      tokens('t1');
      walk([1, 2]);
      nock(NEXUS)
        .get(/\/patients\/\d\/preferences/)
        .times(2)
        .reply(404, { message: 'not found' });
      expect(await integrationFailure(client().findLockedNotes({ since, formTitle: TITLE, tag: TAG }))).toMatchObject({ status: 404 });
    });
  });

  it('refuses a link to another origin before sending anything there', async () => {
    tokens('t1');
    nock(NEXUS)
      .get(`${BASE}/`)
      .reply(
        200,
        home({ preferences: 'https://evil.example/api/core/mobile/solhoej/v2/preferences', organizations: `${BASE}/organizations` }),
      );
    const evil = nock('https://evil.example').get(/.*/).reply(200, {});
    const err = await integrationFailure(client().findMeetingNotes({ observationDate: '2026-12-03', formTitle: TITLE, tag: TAG }));
    expect(err).toMatchObject({ code: 'NEXUS_LINK_ORIGIN', errorClass: 'permanent' });
    expect(err.message).toContain('evil.example');
    expect(evil.isDone()).toBe(false);
  });

  it('fetches the home document again, after a backoff, once it handed out an off-origin or missing link', async () => {
    tokens('t1');
    const orgs = [{ id: 10, name: 'Visitator' }];
    nock(NEXUS)
      .get(`${BASE}/`)
      .reply(200, home({ organizations: 'https://evil.example/organizations' }));
    const nexus = client({ homeRetry: { baseMs: 1000, maxMs: 4000 } });
    expect(await integrationFailure(nexus.findOrganisation('Visitator'))).toMatchObject({ code: 'NEXUS_LINK_ORIGIN' });
    expect(nexusHomeState()).toMatchObject({
      state: 'stale',
      failures: 1,
      code: 'NEXUS_LINK_ORIGIN',
      retryAt: new Date(clock + 1000).toISOString(),
    });

    // Within the backoff: the same answer at once, without asking Nexus (no home reply is scripted).
    clock += 999;
    expect(await integrationFailure(nexus.findOrganisation('Visitator'))).toMatchObject({ code: 'NEXUS_LINK_ORIGIN' });

    // Then a home document without the link: a shape error, and the wait doubles.
    clock += 1;
    nock(NEXUS)
      .get(`${BASE}/`)
      .reply(200, home({ preferences: `${BASE}/preferences` }));
    expect(await integrationFailure(nexus.findOrganisation('Visitator'))).toMatchObject({ code: 'NEXUS_BAD_RESPONSE' });
    expect(nexusHomeState()).toMatchObject({ state: 'stale', failures: 2, retryAt: new Date(clock + 2000).toISOString() });

    // Nexus answers correctly again: the next call after the wait works, and readiness is ok.
    clock += 2000;
    nock(NEXUS)
      .get(`${BASE}/`)
      .reply(200, home({ organizations: `${BASE}/organizations` }))
      .get(`${BASE}/organizations`)
      .times(2)
      .reply(200, orgs);
    expect(await nexus.findOrganisation('Visitator')).toMatchObject({ id: 10 });
    expect(nexusHomeState()).toEqual({ state: 'ok', failures: 0 });
    clock += ORGANISATIONS_FRESH_MS; // the organisation list is read again, through the cached home
    expect(await nexus.findOrganisation('Visitator')).toMatchObject({ id: 10 }); // the good home stays cached
    expect(nock.isDone()).toBe(true);
  });

  it('reads the organisation list once per freshness window for every lookup by name; a failed read is not kept', async () => {
    tokens('t1');
    const orgs = [
      { id: 10, name: 'Visitator' },
      { id: 11, name: 'Hjemmeplejen' },
    ];
    const lists = nock(NEXUS)
      .get(`${BASE}/`)
      .reply(200, home({ organizations: `${BASE}/organizations` }))
      .get(`${BASE}/organizations`)
      .reply(200, orgs);
    const nexus = client();
    const found = await Promise.all(['Visitator', 'Hjemmeplejen', 'Ukendt'].map((n) => nexus.findOrganisation(n)));
    expect(found.map((o) => o?.id ?? null)).toEqual([10, 11, null]);
    clock += ORGANISATIONS_FRESH_MS - 1;
    expect(await nexus.findOrganisation('hjemmeplejen')).toMatchObject({ id: 11 });
    expect(lists.isDone()).toBe(true); // one list read so far

    // The window is over: read again. That read fails (kept out of the cache), the next one succeeds.
    clock += 1;
    nock(NEXUS).get(`${BASE}/organizations`).reply(400, { reason: 'nope' });
    expect(await integrationFailure(nexus.findOrganisation('Visitator'))).toMatchObject({ code: 'HTTP_400' });
    nock(NEXUS)
      .get(`${BASE}/organizations`)
      .reply(200, [...orgs, { id: 12, name: 'Ny enhed' }]);
    expect(await nexus.findOrganisation('Ny enhed')).toMatchObject({ id: 12 });
    expect(nock.isDone()).toBe(true);
  });

  it('a missing link or a non-JSON body is NEXUS_BAD_RESPONSE', async () => {
    tokens('t1');
    nock(NEXUS)
      .get(`${BASE}/`)
      .reply(200, home({ preferences: `${BASE}/preferences` }));
    const nexus = client();
    const err = await integrationFailure(nexus.findOrganisation('Visitator'));
    expect(err).toMatchObject({ code: 'NEXUS_BAD_RESPONSE', errorClass: 'permanent' });
    expect(err.message).toContain('"organizations"');

    nock(NEXUS).get(`${BASE}/formData/5001`).reply(200, '{"id": 5001, "version": ', { 'Content-Type': 'application/json' });
    expect(await integrationFailure(nexus.getNote(5001, AT))).toMatchObject({ code: 'NEXUS_BAD_RESPONSE' });
    nock(NEXUS).get(`${BASE}/formData/5001`).reply(200, '<html>Vedligehold</html>', { 'Content-Type': 'text/html' });
    expect(await integrationFailure(nexus.getNote(5001, AT))).toMatchObject({ code: 'NEXUS_BAD_RESPONSE' });
  });

  it('fails each call with NEXUS_NOT_CONFIGURED when there is no endpoint, without any I/O', async () => {
    const nexus = client({ connection: undefined });
    expect(await integrationFailure(nexus.getNote(1))).toMatchObject({ code: 'NEXUS_NOT_CONFIGURED', errorClass: 'permanent' });
  });
});

describe('writes', () => {
  it('setNoteTime saves through the action named like the current state', async () => {
    tokens('t1');
    let saved: Record<string, any> | undefined;
    nock(NEXUS)
      .get(`${BASE}/formData/5001`)
      .reply(200, form())
      .get(`${BASE}/formData/5001/availableActions`)
      .reply(200, actions)
      .put(`${BASE}/formData/5001/actions/1`, (b) => ((saved = b), true))
      .reply(200, (_u, b) => ({ ...(b as object), version: 2 }));
    expect(await client().setNoteTime(5001, '10:10', AT)).toEqual({ changed: true, version: 2 });
    expect(saved).toMatchObject({ id: 5001, version: 1, workflowState: { name: 'Kladde' } });
    expect(saved!.items).toContainEqual({ id: 2, type: 'text', label: 'Tidspunkt', value: '10:10' });
  });

  it('on 409 re-reads, re-applies and retries once', async () => {
    tokens('t1');
    const bodies: Array<Record<string, any>> = [];
    nock(NEXUS)
      .get(`${BASE}/formData/5001`)
      .reply(200, form())
      .get(`${BASE}/formData/5001/availableActions`)
      .reply(200, actions)
      .put(`${BASE}/formData/5001/actions/1`, (b) => (bodies.push(b), true))
      .reply(409, { message: 'Row was updated or deleted by another transaction', reason: 'OptimisticLockException' })
      .get(`${BASE}/formData/5001`)
      .reply(
        200,
        form({
          version: 2,
          items: [
            { id: 1, type: 'text', label: 'Emne', value: 'Rettet af kollega' },
            { id: 2, type: 'text', label: 'Tidspunkt', value: null },
          ],
        }),
      )
      .get(`${BASE}/formData/5001/availableActions`)
      .reply(200, actions)
      .put(`${BASE}/formData/5001/actions/1`, (b) => (bodies.push(b), true))
      .reply(200, { ...form(), version: 3 });
    expect(await client().setNoteTime(5001, '10:20', AT)).toEqual({ changed: true, version: 3 });
    expect(bodies.map((b) => b.version)).toEqual([1, 2]);
    // The retry carries the colleague's edit plus our time: nothing is overwritten with stale data.
    expect(bodies[1].items).toEqual([
      { id: 1, type: 'text', label: 'Emne', value: 'Rettet af kollega' },
      { id: 2, type: 'text', label: 'Tidspunkt', value: '10:20' },
    ]);
  });

  it('a second 409 is a retryable NEXUS_CONFLICT', async () => {
    tokens('t1');
    nock(NEXUS)
      .get(`${BASE}/formData/5001`)
      .times(2)
      .reply(200, form())
      .get(`${BASE}/formData/5001/availableActions`)
      .times(2)
      .reply(200, actions)
      .put(`${BASE}/formData/5001/actions/3`)
      .times(2)
      .reply(409, { reason: 'OptimisticLockException' });
    expect(await integrationFailure(client().lockNote(5001, AT))).toMatchObject({
      code: 'NEXUS_CONFLICT',
      errorClass: 'retryable',
      status: 409,
    });
    expect(nock.isDone()).toBe(true);
  });

  it('writes nothing when the time is already set or the note already locked', async () => {
    tokens('t1');
    const set = form({ items: [{ id: 2, type: 'text', label: 'Tidspunkt', value: '10:00' }] });
    nock(NEXUS)
      .get(`${BASE}/formData/5001`)
      .reply(200, set)
      .get(`${BASE}/formData/5001`)
      .reply(200, form({ version: 4, workflowState: { id: 3, name: 'Låst' } }));
    const nexus = client();
    expect(await nexus.setNoteTime(5001, '10:00', AT)).toEqual({ changed: false, version: 1 });
    expect(await nexus.lockNote(5001, AT)).toEqual({ changed: false, version: 4 });
    expect(nock.isDone()).toBe(true); // no availableActions, no PUT
  });

  it('clearNoteTime empties the time only while it still holds the time written; otherwise writes nothing', async () => {
    tokens('t1');
    let saved: Record<string, any> | undefined;
    const at = (value: string | null, over: Record<string, unknown> = {}) =>
      form({ items: [{ id: 2, type: 'text', label: 'Tidspunkt', value }], ...over });
    nock(NEXUS)
      .get(`${BASE}/formData/5001`)
      .reply(200, at('10:00'))
      .get(`${BASE}/formData/5001/availableActions`)
      .reply(200, actions)
      .put(`${BASE}/formData/5001/actions/1`, (b) => ((saved = b), true))
      .reply(200, (_u, b) => ({ ...(b as object), version: 2 }))
      .get(`${BASE}/formData/5001`)
      .reply(200, at('09:45'))
      .get(`${BASE}/formData/5001`)
      .reply(200, at(null))
      .get(`${BASE}/formData/5001`)
      .reply(200, at('10:00', { version: 4, workflowState: { id: 3, name: 'Låst' } }));
    const nexus = client();
    expect(await nexus.clearNoteTime(5001, '10:00', AT)).toEqual({ changed: true, version: 2 });
    expect(saved).toMatchObject({ workflowState: { name: 'Kladde' }, items: [{ id: 2, type: 'text', label: 'Tidspunkt', value: '' }] });
    expect(await nexus.clearNoteTime(5001, '10:00', AT)).toEqual({ changed: false, version: 1 }); // a person's 09:45
    expect(await nexus.clearNoteTime(5001, '10:00', AT)).toEqual({ changed: false, version: 1 }); // empty
    expect(await nexus.clearNoteTime(5001, '10:00', AT)).toEqual({ changed: false, version: 4 }); // locked: the meeting is over
    expect(nock.isDone()).toBe(true);
  });

  it('refuses a state with no matching action and a form without the time item', async () => {
    tokens('t1');
    nock(NEXUS)
      .get(`${BASE}/formData/5001`)
      .reply(200, form({ workflowState: { id: 9, name: 'Aktiv' } }))
      .get(`${BASE}/formData/5001/availableActions`)
      .reply(200, actions)
      .get(`${BASE}/formData/5001`)
      .reply(200, form({ items: [] }));
    const nexus = client();
    expect(await integrationFailure(nexus.setNoteTime(5001, '10:00', AT))).toMatchObject({
      code: 'NEXUS_ACTION_MISSING',
      errorClass: 'permanent',
    });
    expect(await integrationFailure(nexus.setNoteTime(5001, '10:00', AT))).toMatchObject({ code: 'NEXUS_BAD_RESPONSE' });
  });

  it('createTask fills the prototype: title, dates (start = today in Copenhagen) and organisation', async () => {
    tokens('t1');
    clock = Date.parse('2026-12-03T23:30:00Z'); // already 4 December in Copenhagen
    let posted: Record<string, any> | undefined;
    nock(NEXUS)
      .get(`${BASE}/formData/5001`)
      .reply(200, form({ _links: { availableAssignmentTypes: { href: `${BASE}/formData/5001/types` } } }))
      .get(`${BASE}/formData/5001/types`)
      .reply(200, [
        { id: 1, name: 'Besked', _links: {} },
        { id: 2, name: 'Opgave', _links: { assignmentPrototype: { href: `${BASE}/proto/2` } } },
      ])
      .get(`${BASE}/proto/2`)
      .reply(200, {
        id: null,
        title: null,
        actions: [{ name: 'Opret', _links: { createAssignment: { href: `${BASE}/assignments?x=1` } } }],
        _links: { availableOrganizationAssignees: { href: `${BASE}/assignees` } },
      })
      .get(`${BASE}/assignees`)
      .reply(200, [{ id: 17, name: 'Hjemmeplejen' }])
      .post(`${BASE}/assignments`, (b) => ((posted = b), true))
      .query({ x: '1' })
      .reply(200, { id: 90001, title: 'T' });
    const task = await client().createTask({
      on: { noteId: 5001, at: AT },
      typeName: 'opgave',
      title: 'T',
      description: 'D',
      dueDate: '2026-12-10',
      organisationName: 'Hjemmeplejen',
    });
    expect(task).toEqual({ id: 90001 });
    expect(posted).toMatchObject({
      title: 'T',
      description: 'D',
      startDate: '2026-12-04',
      dueDate: '2026-12-10',
      organizationAssignee: { organizationId: 17, displayName: 'Hjemmeplejen' },
      object: { id: 5001 },
    });
  });

  it("a note's tasks start from the note's read and share its navigation; after the window it is navigated again", async () => {
    tokens('t1');
    const posted: Array<Record<string, any>> = [];
    const navigation = () =>
      nock(NEXUS)
        .get(`${BASE}/formData/5001/types`)
        .reply(200, [{ id: 2, name: 'Opgave', _links: { assignmentPrototype: { href: `${BASE}/proto/2` } } }])
        .get(`${BASE}/proto/2`)
        .reply(200, {
          id: null,
          title: null,
          actions: [{ name: 'Opret', _links: { createAssignment: { href: `${BASE}/assignments` } } }],
          _links: { availableOrganizationAssignees: { href: `${BASE}/assignees` } },
        })
        .get(`${BASE}/assignees`)
        .reply(200, [
          { id: 17, name: 'Hjemmeplejen' },
          { id: 18, name: 'Visitator' },
        ]);
    const formRead = () =>
      nock(NEXUS)
        .get(`${BASE}/formData/5001`)
        .reply(200, form({ _links: { availableAssignmentTypes: { href: `${BASE}/formData/5001/types` } } }));
    const posts = (n: number) =>
      nock(NEXUS)
        .post(`${BASE}/assignments`, (b) => (posted.push(b), true))
        .times(n)
        .reply(200, () => ({ id: 90000 + posted.length }));
    const task = (title: string, organisationName: string) => ({
      on: { noteId: 5001, at: AT },
      typeName: 'Opgave',
      title,
      description: 'D',
      dueDate: '2026-12-10',
      organisationName,
    });
    const nexus = client();
    formRead();
    navigation();
    posts(2);
    await nexus.getNote(5001, AT); // the step's version check
    expect(await nexus.createTask(task('A', 'Hjemmeplejen'))).toEqual({ id: 90001 });
    expect(await nexus.createTask(task('B', 'Visitator'))).toEqual({ id: 90002 });
    expect(nock.isDone()).toBe(true); // one form read, one navigation, two POSTs
    expect(posted.map((b) => [b.title, b.organizationAssignee.organizationId, b.object.id])).toEqual([
      ['A', 17, 5001],
      ['B', 18, 5001],
    ]);

    clock += TASK_NAVIGATION_MS;
    formRead();
    navigation();
    posts(1);
    expect(await nexus.createTask(task('C', 'Hjemmeplejen'))).toEqual({ id: 90003 });
    expect(nock.isDone()).toBe(true);
  });

  it("a task created after the client wrote the note's form starts from the form as written, not from the read before", async () => {
    tokens('t1');
    const types = { availableAssignmentTypes: { href: `${BASE}/formData/5001/types` } };
    const links = { ...form()._links, ...types };
    const posted: Array<Record<string, any>> = [];
    nock(NEXUS)
      .get(`${BASE}/formData/5001`)
      .reply(200, form({ _links: links })) // the step's version check
      .get(`${BASE}/formData/5001`)
      .reply(200, form({ _links: links })) // setNoteTime reads fresh
      .get(`${BASE}/formData/5001/availableActions`)
      .reply(200, actions)
      .put(`${BASE}/formData/5001/actions/1`)
      .reply(200, { version: 2 })
      .get(`${BASE}/formData/5001`)
      .reply(200, form({ version: 2, _links: links })) // the task's object: the written form
      .get(`${BASE}/formData/5001/types`)
      .reply(200, [{ id: 2, name: 'Opgave', _links: { assignmentPrototype: { href: `${BASE}/proto/2` } } }])
      .get(`${BASE}/proto/2`)
      .reply(200, {
        actions: [{ name: 'Opret', _links: { createAssignment: { href: `${BASE}/assignments` } } }],
        _links: { availableOrganizationAssignees: { href: `${BASE}/assignees` } },
      })
      .get(`${BASE}/assignees`)
      .reply(200, [{ id: 17, name: 'Hjemmeplejen' }])
      .post(`${BASE}/assignments`, (b) => (posted.push(b), true))
      .reply(200, { id: 90001 });
    const nexus = client();
    await nexus.getNote(5001, AT);
    expect(await nexus.setNoteTime(5001, '10:10', AT)).toEqual({ changed: true, version: 2 });
    const on = { noteId: 5001, at: AT };
    await nexus.createTask({
      on,
      typeName: 'Opgave',
      title: 'A',
      description: 'D',
      dueDate: '2026-12-10',
      organisationName: 'Hjemmeplejen',
    });
    expect(nock.isDone()).toBe(true);
    expect(posted[0].object).toMatchObject({ id: 5001, version: 2 });
  });

  it('attachOrganisation PUTs {patientOrganizations}/{id} with a JSON "" body', async () => {
    tokens('t1');
    const relation = {
      id: 70,
      organization: { id: 11, name: 'Demensspecialister' },
      effectiveAtPresent: true,
      _links: { removeFromPatient: { href: `${BASE}/rel/70` } },
    };
    let body: string | undefined;
    nock(NEXUS)
      .get(`${BASE}/`)
      .reply(200, { _links: { patients: { href: `${BASE}/patients` }, organizations: { href: `${BASE}/organizations` } } })
      .get(`${BASE}/patients`)
      .query({ ids: '1008' })
      .reply(200, [{ id: 1008, _links: { self: { href: `${BASE}/patients/1008` } } }])
      .get(`${BASE}/patients/1008`)
      .reply(200, { id: 1008, _links: { patientOrganizations: { href: `${BASE}/patients/1008/organizations` } } })
      .get(`${BASE}/patients/1008/organizations`)
      .reply(200, [
        { ...relation, id: 69, organization: { id: 10, name: 'Visitator' } },
        { ...relation, id: 60, effectiveAtPresent: false },
      ])
      .get(`${BASE}/organizations`)
      .reply(200, [
        { id: 10, name: 'Visitator' },
        { id: 11, name: 'Demensspecialister' },
      ])
      .put(`${BASE}/patients/1008/organizations/11`, (b) => ((body = JSON.stringify(b)), true))
      .reply(200, relation)
      .get(`${BASE}/patients/1008/organizations`)
      .reply(200, [relation]);
    expect(await client().attachOrganisation(1008, 'Demensspecialister')).toEqual({
      id: 70,
      citizenId: 1008,
      organisation: { id: 11, name: 'Demensspecialister' },
      removeHref: `${NEXUS}${BASE}/rel/70`,
    });
    expect(body).toBe('""');
  });
});

describe('errors', () => {
  const CPR = '0703381412';
  it.each([
    [400, { message: `Ugyldig værdi for ${CPR}`, reason: 'ValidationFailed' }, 'HTTP_400', 'permanent', 'ValidationFailed'],
    [404, 'Not Found', 'HTTP_404', 'permanent', 'Not Found'],
    [409, { message: 'Conflict', reason: 'OptimisticLockException' }, 'HTTP_409', 'permanent', 'OptimisticLockException'],
    [500, { message: `NullPointerException for patient ${CPR}` }, 'HTTP_500', 'retryable', 'xxxxxx'],
    [503, `Service Unavailable ${CPR}\n at stack`, 'HTTP_503', 'retryable', 'Service Unavailable'],
  ])('a %i is classified with a personal-data-free reason', async (status, body, code, errorClass, reason) => {
    tokens('t1');
    nock(NEXUS)
      .get(`${BASE}/formData/5001`)
      .reply(status, body as nock.Body);
    const err = await integrationFailure(client().getNote(5001, AT));
    expect(err).toMatchObject({ code, errorClass, status, system: 'nexus' });
    expect(err.message).toContain(reason);
    expect(err.message).not.toContain(CPR);
  });

  it('a request that is not answered in time is a retryable TIMEOUT', async () => {
    tokens('t1');
    // The answer comes long after the client gave up; the test waits for it, so its timer does not outlive the test.
    const late = nock(NEXUS).get(`${BASE}/formData/5001`).delay(500).reply(200, form());
    const answered = new Promise((resolve) => late.once('replied', resolve));
    expect(await integrationFailure(client({ timeoutMs: 50 }).getNote(5001, AT))).toMatchObject({
      code: 'TIMEOUT',
      errorClass: 'retryable',
    });
    await answered;
  });
});

describe('circuit breaker', () => {
  it('opens on repeated 5xx, fails fast while open, and closes again after a half-open success', async () => {
    tokens('t1');
    const nexus = client({ breaker: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeout: 50 } });
    nock(NEXUS).get(`${BASE}/formData/5001`).reply(200, form()).get(`${BASE}/formData/5001`).times(3).reply(500, 'boom');
    await nexus.getNote(5001, AT); // the token call and this one succeed
    for (let i = 0; i < 3; i++) expect((await integrationFailure(nexus.getNote(5001, AT))).code).toBe('HTTP_500');
    expect(nexus.breakerState).toBe('open');
    expect(await integrationFailure(nexus.getNote(5001, AT))).toMatchObject({ code: 'BREAKER_OPEN', errorClass: 'retryable' }); // no request sent

    while (nexus.breakerState !== 'half-open') await new Promise((r) => setTimeout(r, 10));
    nock(NEXUS).get(`${BASE}/formData/5001`).reply(200, form());
    await expect(nexus.getNote(5001, AT)).resolves.toMatchObject({ id: 5001 });
    expect(nexus.breakerState).toBe('closed');
    expect(nock.isDone()).toBe(true);
  });

  it('does not open on 4xx answers', async () => {
    tokens('t1');
    const nexus = client({ breaker: { volumeThreshold: 2, errorThresholdPercentage: 10, resetTimeout: 50 } });
    nock(NEXUS).get(`${BASE}/formData/5001`).times(5).reply(404, 'Not Found');
    for (let i = 0; i < 5; i++) expect((await integrationFailure(nexus.getNote(5001, AT))).code).toBe('HTTP_404');
    expect(nexus.breakerState).toBe('closed');
  });
});
