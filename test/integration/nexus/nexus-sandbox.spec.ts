import { NexusClient, nexusClientOptions } from '../../../adapters/nexus/nexus.client';
import type { NexusRelation } from '../../../adapters/nexus/nexus.port';
import { sandboxNames, startConfiguredNexusSandbox } from '../../../adapters/nexus/sandbox/nexus-sandbox.start';
import { NexusSandboxControl } from '../../../adapters/nexus/sandbox/nexus-sandbox.control';
import { seededRandom } from '../../../adapters/shared/seeded-random';
import { RunningNexusSandbox, startNexusSandbox } from '../../../adapters/nexus/sandbox/nexus-sandbox';
import { loadSeed } from '../../../adapters/shared/sandbox-seed';
import type { AppConfig } from '../../../src/config/config.schema';
import { loadConfig } from '../../../src/config/load-config';
import { startSandboxes } from '../../../src/infra/sandboxes';
import { integrationFailure } from '../../support/integration-failure';

/**
 * Every NexusPort method against the Nexus simulator over real HTTP, with the shipped Solhøj seed
 * (meeting Thursday 2026-12-03; see adapters/shared/seeds/default-seed.json).
 */
const MEETING = { observationDate: '2026-12-03', formTitle: 'Samlet faglig vurdering', tag: 'ÆS – Tværfagligt samarbejdsmøde' };
const RANDOM_SEED = 1234;

function configWith(env: Record<string, string> = {}): AppConfig {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SANDBOX_RANDOM_SEED: String(RANDOM_SEED), NEXUS_TIMEOUT_MS: '2000', ...env });
}

describe('NexusClient against the Nexus sandbox', () => {
  let config: AppConfig;
  let sandbox: RunningNexusSandbox;
  let control: NexusSandboxControl;
  let nexus: NexusClient;
  const clients: NexusClient[] = [];
  const newClient = (overrides: Partial<ReturnType<typeof nexusClientOptions>> = {}) => {
    const c = new NexusClient({ ...nexusClientOptions(config), ...overrides });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const base = configWith();
    const started = await startConfiguredNexusSandbox(base);
    sandbox = started.sandbox;
    config = { ...base, ...started.env };
    control = new NexusSandboxControl(sandbox.url);
  });
  afterAll(async () => {
    clients.forEach((c) => c.shutdown());
    await sandbox.stop();
  });
  beforeEach(async () => {
    await control.reset();
    nexus = newClient();
  });

  it('findMeetingNotes returns the tagged notes of the meeting day from the district list', async () => {
    const notes = await nexus.findMeetingNotes(MEETING);
    // Not: other form (Handleplan), untagged, other tag, other meetings, other district.
    expect(notes.map((n) => n.id)).toEqual([5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009, 5010, 5011, 5012, 5013, 5014]);
    const first = notes[0];
    expect(first).toMatchObject({ id: 5001, version: 1, citizenId: 1001, formTitle: MEETING.formTitle, state: 'Kladde', locked: false });
    expect(first.tags).toEqual([MEETING.tag]);
    // Sent as "2026-12-02T23:00:00.000+0000": the Copenhagen day is the meeting day.
    expect(first.observationTimestamp).toBe('2026-12-02T23:00:00.000Z');
    expect(first.createDate).toBe('2026-11-23T08:15:00.000Z');
    expect(first.items).toMatchObject({ Forløbstype: 'Rehabilitering (§ 83a)', Prioritet: '1', 'Send til egen læge': 'Ja', Tidspunkt: '' });
  });

  it('reads another district through its own citizen list', async () => {
    const nordvang = 'Tværfagligt samarbejdsmøde Nordvang – notater og aftaler';
    const notes = await nexus.findMeetingNotes({ ...MEETING, observationDate: '2026-12-01', citizenList: nordvang });
    expect(notes.map((n) => n.id)).toEqual([5029, 5030]);
    expect(await nexus.findMeetingNotes({ ...MEETING, observationDate: '2026-12-01' })).toEqual([]);
    const err = await integrationFailure(nexus.findMeetingNotes({ ...MEETING, citizenList: 'No such list' }));
    expect(err).toMatchObject({ code: 'NEXUS_LIST_NOT_FOUND', errorClass: 'permanent' });
  });

  it('getNote finds a note it never navigated to without an invented path: self href, citizen re-walk, else the default list', async () => {
    const note = await nexus.getNote(5016); // nothing known: the default citizen list is walked for it
    expect(note).toMatchObject({ id: 5016, citizenId: 1015, state: 'Låst', locked: true });
    expect(note.items['Konklusion og aftaler']).toContain('afsluttes');
    expect(note.selfHref).toEqual(expect.any(String));

    const calls = async () => (await control.stats()).total;
    let before = await calls();
    expect(await newClient().getNote(5016, { citizenId: 1015 })).toMatchObject({ id: 5016, citizenId: 1015 });
    // token, home-less re-walk: patient/{id}/preferences/ → view → tree → the one form
    expect((await control.stats()).calls['GET /patient/:id/preferences']).toBe(1);
    expect((await calls()) - before).toBe(5);

    before = await calls();
    expect(await newClient().getNote(5016, { selfHref: note.selfHref })).toMatchObject({ id: 5016 });
    expect((await calls()) - before).toBe(2); // token + the form

    expect(await integrationFailure(nexus.getNote(999_999))).toMatchObject({ code: 'NEXUS_NOTE_NOT_FOUND', errorClass: 'permanent' });
    expect(await integrationFailure(newClient().getNote(5016, { citizenId: 1001 }))).toMatchObject({ code: 'NEXUS_NOTE_NOT_FOUND' });
  });

  it('getCitizen returns CPR, names and active conditions', async () => {
    expect(await nexus.getCitizen(1009)).toEqual({
      id: 1009,
      cpr: '0808371455',
      firstName: 'Grete',
      lastName: 'Attrapsen',
      fullName: 'Grete Attrapsen',
      conditions: ['Demens', 'Underernæring'],
    });
    expect(await integrationFailure(nexus.getCitizen(424242))).toMatchObject({ code: 'NEXUS_PATIENT_NOT_FOUND', errorClass: 'permanent' });
  });

  it('getCitizenIdentity returns CPR and names without reading the conditions', async () => {
    const conditionCalls = () => control.stats().then((s) => s.calls['GET /patients/:id/conditions'] ?? 0);
    const before = await conditionCalls();
    expect(await nexus.getCitizenIdentity(1009)).toEqual({
      id: 1009,
      cpr: '0808371455',
      firstName: 'Grete',
      lastName: 'Attrapsen',
      fullName: 'Grete Attrapsen',
    });
    expect(await conditionCalls()).toBe(before);
  });

  it('getRelations, findOrganisation, attach and detach organisations', async () => {
    const names = (rs: NexusRelation[]) => rs.map((r) => r.organisation.name).sort();
    expect(names(await nexus.getRelations(1008))).toEqual(['Hjemmeplejen', 'Sygeplejersker', 'Visitator']);
    expect(await nexus.findOrganisation('demensspecialister')).toEqual({ id: 11, name: 'Demensspecialister' });
    expect(await nexus.findOrganisation('Ingen sådan enhed')).toBeNull();

    const rel = await nexus.attachOrganisation(1008, 'Demensspecialister');
    expect(rel).toMatchObject({ citizenId: 1008, organisation: { id: 11, name: 'Demensspecialister' } });
    const putsBefore = (await control.stats()).calls['PUT /patients/:id/organizations/:org'];
    expect(await nexus.attachOrganisation(1008, 'Demensspecialister')).toEqual(rel); // already attached: no write
    expect((await control.stats()).calls['PUT /patients/:id/organizations/:org']).toBe(putsBefore);
    expect(names(await nexus.getRelations(1008))).toContain('Demensspecialister');

    await nexus.detachOrganisation(rel);
    expect((await control.state()).relations.find((r) => r.id === rel.id)).toMatchObject({ inForce: false });
    expect(names(await nexus.getRelations(1008))).not.toContain('Demensspecialister');
    await expect(nexus.detachOrganisation(rel)).resolves.toBeUndefined(); // already ended
    expect(await integrationFailure(nexus.attachOrganisation(1008, 'Ingen sådan enhed'))).toMatchObject({ code: 'NEXUS_ORG_NOT_FOUND' });
  });

  it('setNoteTime writes the time keeping the state, and is a no-op when already set', async () => {
    expect(await nexus.setNoteTime(5001, '10:00')).toEqual({ changed: true, version: 2 });
    expect(await control.note(5001)).toMatchObject({
      state: 'Kladde',
      version: 2,
      locked: false,
      items: expect.objectContaining({ Tidspunkt: '10:00', Emne: expect.any(String) }),
    });

    const puts = () => control.stats().then((s) => s.calls['PUT /formData/:id/actions/:action'] ?? 0);
    const before = await puts();
    expect(await nexus.setNoteTime(5001, '10:00')).toEqual({ changed: false, version: 2 });
    expect(await puts()).toBe(before);
    expect(await nexus.setNoteTime(5001, '10:10')).toEqual({ changed: true, version: 3 });
    expect((await control.note(5001)).items.Tidspunkt).toBe('10:10');

    expect(await nexus.setNoteTime(5016, '10:00')).toEqual({ changed: false, version: 1 }); // locked, but already so
    expect(await integrationFailure(nexus.setNoteTime(5016, '09:00'))).toMatchObject({
      code: 'NEXUS_NOTE_LOCKED',
      errorClass: 'permanent',
    });
    expect(await integrationFailure(nexus.setNoteTime(5001, '25:00'))).toMatchObject({ code: 'NEXUS_BAD_INPUT' });
  });

  it('clearNoteTime removes a time written before, over the wire', async () => {
    expect(await nexus.setNoteTime(5002, '10:30')).toMatchObject({ changed: true });
    const r = await nexus.clearNoteTime(5002, '10:30');
    expect(r.changed).toBe(true);
    expect(await control.note(5002)).toMatchObject({
      state: 'Kladde',
      version: r.version,
      items: expect.objectContaining({ Tidspunkt: '' }),
    });
    expect(await nexus.clearNoteTime(5002, '10:30')).toEqual({ changed: false, version: r.version });
  });

  it('setNoteTime keeps a state other than draft', async () => {
    const seed = loadSeed();
    seed.citizens.find((c) => c.id === 1005)!.notes[0].state = 'Aktiv';
    const own = await startNexusSandbox({ seed, names: sandboxNames(config) });
    try {
      const c = newClient({
        connection: { baseUrl: own.baseUrl, tokenUrl: own.tokenUrl, clientId: own.clientId, clientSecret: own.clientSecret },
      });
      expect(await c.setNoteTime(5005, '10:40')).toEqual({ changed: true, version: 2 });
      expect(await new NexusSandboxControl(own.url).note(5005)).toMatchObject({
        state: 'Aktiv',
        locked: false,
        items: expect.objectContaining({ Tidspunkt: '10:40' }),
      });
    } finally {
      await own.stop();
    }
  });

  it('lockNote locks once; locking again writes nothing', async () => {
    expect(await nexus.lockNote(5002)).toEqual({ changed: true, version: 2 });
    expect(await control.note(5002)).toMatchObject({ state: 'Låst', locked: true, version: 2 });
    expect(await nexus.lockNote(5002)).toEqual({ changed: false, version: 2 });
    expect((await control.note(5002)).version).toBe(2);
  });

  it('findLockedNotes returns locked tagged notes updated since the cursor, and a cursor that moves on', async () => {
    const first = await nexus.findLockedNotes({ since: '2026-11-01T00:00:00Z', formTitle: MEETING.formTitle, tag: MEETING.tag });
    expect(first.notes.map((n) => n.id)).toEqual([5016, 5017, 5018, 5019, 5020, 5021]);
    expect(first.notes.every((n) => n.locked)).toBe(true);
    expect(first.cursor).toBe(
      first.notes
        .map((n) => n.updateDate!)
        .sort()
        .at(-1),
    );

    await control.conclude(5001, { 'Konklusion og aftaler': 'Forløbet fortsætter.', 'Send til egen læge': 'Ja' });
    const next = await nexus.findLockedNotes({ since: first.cursor, formTitle: MEETING.formTitle, tag: MEETING.tag });
    const concluded = next.notes.find((n) => n.id === 5001)!;
    expect(concluded).toMatchObject({
      version: 2,
      state: 'Låst',
      locked: true,
      items: expect.objectContaining({ 'Konklusion og aftaler': 'Forløbet fortsætter.' }),
    });
    // Inclusive cursor: at most the boundary note comes again (same version: the caller dedups); nothing older.
    expect(next.notes.filter((n) => n.id !== 5001).every((n) => n.updateDate! >= first.cursor)).toBe(true);
    expect(next.cursor > first.cursor).toBe(true);

    const after = await nexus.findLockedNotes({ since: next.cursor, formTitle: MEETING.formTitle, tag: MEETING.tag });
    expect(after.notes.map((n) => `${n.id}@${n.version}`)).toEqual(['5001@2']);
    expect(after.cursor).toBe(next.cursor);
  });

  it('createTask creates an assignment on a note or a citizen, and findTasks finds it again', async () => {
    const title = 'TSM 2026-12-03 note 5007: opgave til hjemmeplejen';
    const task = await nexus.createTask({
      on: { noteId: 5007 },
      typeName: 'Opgave',
      title,
      description: 'Se notatet.',
      dueDate: '2026-12-10',
      organisationName: 'Hjemmeplejen',
    });
    const state = await control.state();
    expect(state.tasks).toEqual([
      expect.objectContaining({
        id: task.id,
        on: { noteId: 5007 },
        typeName: 'Opgave',
        title,
        description: 'Se notatet.',
        dueDate: '2026-12-10',
        organisationName: 'Hjemmeplejen',
      }),
    ]);
    expect(await nexus.findTasks({ noteId: 5007 }, title)).toEqual([{ id: task.id, title }]);
    expect(await nexus.findTasks({ noteId: 5007 }, 'another title')).toEqual([]);
    expect(await nexus.findTasks({ citizenId: 1007 }, title)).toEqual([]);

    const onCitizen = await nexus.createTask({
      on: { citizenId: 1011 },
      typeName: 'Opgave',
      title: 'Tilknyt Visitator',
      description: '',
      dueDate: '2026-12-04',
      organisationName: 'Koordinerende rolle',
    });
    expect(await nexus.findTasks({ citizenId: 1011 }, 'Tilknyt Visitator')).toEqual([{ id: onCitizen.id, title: 'Tilknyt Visitator' }]);

    const bad = {
      on: { noteId: 5007 },
      typeName: 'Opgave',
      title: 't',
      description: '',
      dueDate: '2026-12-10',
      organisationName: 'Hjemmeplejen',
    };
    expect(await integrationFailure(nexus.createTask({ ...bad, typeName: 'Ukendt type' }))).toMatchObject({
      code: 'NEXUS_TASK_TYPE_NOT_FOUND',
    });
    expect(await integrationFailure(nexus.createTask({ ...bad, organisationName: 'Ukendt' }))).toMatchObject({
      code: 'NEXUS_ORG_NOT_FOUND',
    });
  });

  it('a 409 from a concurrent edit is re-read and retried once; a second 409 is a retryable NEXUS_CONFLICT', async () => {
    // The sandbox draws one PRNG number per save: pick a rate that makes the first save conflict and the retry pass.
    const draw = seededRandom(RANDOM_SEED);
    const [d1, d2] = [draw(), draw()];
    expect(d1).toBeLessThan(d2);
    await control.setFaults({ conflictRate: (d1 + d2) / 2 });
    // The simulated concurrent edit bumped the version to 2, so the successful retry saves version 3.
    expect(await nexus.setNoteTime(5003, '10:20')).toEqual({ changed: true, version: 3 });
    expect((await control.stats()).calls['PUT /formData/:id/actions/:action']).toBe(2);
    expect((await control.note(5003)).items.Tidspunkt).toBe('10:20');

    await control.setFaults({ conflictRate: 1 });
    const err = await integrationFailure(nexus.lockNote(5004));
    expect(err).toMatchObject({ code: 'NEXUS_CONFLICT', errorClass: 'retryable', status: 409 });
    expect((await control.note(5004)).locked).toBe(false);
  });

  it('fault knobs: 5xx are retryable, a never-answered request times out, an invalid knob is refused', async () => {
    await control.setFaults({ errorRate: 1 });
    const err = await integrationFailure(nexus.getNote(5001));
    expect(err.errorClass).toBe('retryable');
    expect(['HTTP_500', 'HTTP_503']).toContain(err.code);

    await control.reset();
    const impatient = newClient({ timeoutMs: 150 });
    await impatient.getNote(5001); // token and first call before the fault
    await control.setFaults({ timeoutRate: 1 });
    expect(await integrationFailure(impatient.getNote(5001))).toMatchObject({ code: 'TIMEOUT', errorClass: 'retryable' });

    await expect(control.setFaults({ errorRate: 2 })).rejects.toMatchObject({ response: { status: 400 } });
  });

  it('renews the access token once when the sandbox rejects it (401)', async () => {
    await nexus.getNote(5001);
    await control.reset();
    expect(await control.revokeTokens()).toBeGreaterThanOrEqual(1);
    await expect(nexus.getNote(5001)).resolves.toMatchObject({ id: 5001 });
    const calls = (await control.stats()).calls;
    expect(calls['POST /token']).toBe(1);
    expect(calls['GET /formData/:id']).toBe(2); // the refused call and its retry
  });

  it('startSandboxes points the config at a running sandbox', async () => {
    const running = await startSandboxes(
      configWith({ EDOC_URL: 'https://edoc.invalid/', EDOC_USER: 'u', EDOC_PASSWORD: 'p', MEDCOM_OUT_DIR: '/tmp' }),
    );
    try {
      expect(running.config.NEXUS_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/core\/mobile\/\w+\/v2\/$/);
      const viaConfig = newClient(nexusClientOptions(running.config));
      expect((await viaConfig.findMeetingNotes(MEETING)).length).toBe(14);
      expect((await new NexusSandboxControl(running.config.SANDBOX_NEXUS_URL!).stats()).total).toBeGreaterThan(0);
    } finally {
      await running.stop();
    }
  });
});

describe('the simulator in each public dialect (SANDBOX_NEXUS_DIALECT)', () => {
  const clients: NexusClient[] = [];
  const sandboxes: RunningNexusSandbox[] = [];
  afterAll(async () => {
    clients.forEach((c) => c.shutdown());
    await Promise.all(sandboxes.map((s) => s.stop()));
  });
  async function start(dialect: string) {
    const base = configWith({ SANDBOX_NEXUS_DIALECT: dialect });
    const started = await startConfiguredNexusSandbox(base);
    sandboxes.push(started.sandbox);
    const config = { ...base, ...started.env };
    const c = new NexusClient(nexusClientOptions(config));
    clients.push(c);
    return { nexus: c, url: started.sandbox.url, config };
  }
  const tree = async (url: string, token: string, citizenId: number) =>
    (
      await fetch(`${url}/api/core/mobile/sandbox/v2/patients/${citizenId}/preferences/CITIZEN_PATHWAY/1/references`, {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).json();
  const tokenOf = async (config: AppConfig) => {
    const res = await fetch(config.NEXUS_TOKEN_URL as string, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: config.NEXUS_CLIENT_ID as string,
        client_secret: config.NEXUS_CLIENT_SECRET as string,
      }).toString(),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };

  it('odense: titles under formDefinition, node self is the form, drafts "Aktivt", relations removed through their self', async () => {
    const { nexus, url, config } = await start('odense');
    const [node] = JSON.stringify(await tree(url, await tokenOf(config), 1001)).match(/"formDefinition":\{[^}]*\}/g) ?? [];
    expect(node).toContain(MEETING.formTitle);
    const notes = await nexus.findMeetingNotes(MEETING);
    expect(notes.map((n) => n.id)).toEqual([5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009, 5010, 5011, 5012, 5013, 5014]);
    expect(notes[0]).toMatchObject({ state: 'Aktivt', locked: false });
    expect(await nexus.setNoteTime(5001, '09:00')).toMatchObject({ changed: true });
    expect((await nexus.getNote(5001)).state).toBe('Aktivt'); // saved as a draft, not locked
    const [rel] = await nexus.getRelations(1001);
    expect(rel.removeHref).toBeUndefined();
    await nexus.detachOrganisation(rel);
    expect((await nexus.getRelations(1001)).map((r) => r.id)).not.toContain(rel.id);
  });

  it('nyborg: node self → reference document → referenceObject; a lock with empty required items is refused before Nexus is asked', async () => {
    const { nexus } = await start('nyborg');
    const notes = await nexus.findMeetingNotes(MEETING);
    expect(notes).toHaveLength(14);
    expect(await integrationFailure(nexus.lockNote(5001))).toMatchObject({ code: 'NEXUS_REQUIRED_ITEMS_EMPTY', errorClass: 'permanent' });
  });
});
