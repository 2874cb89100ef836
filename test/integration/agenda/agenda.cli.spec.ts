import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadSeed } from '../../../adapters/shared/sandbox-seed';
import { runCli } from '../../../src/cli';
import { runAgenda, AgendaOptions } from '../../../src/cli/agenda.command';
import { loadDistricts } from '../../../src/config/districts';
import { loadConfig } from '../../../src/config/load-config';
import { buildAgenda, toAgendaDocument } from '../../../src/domain/agenda.builder';
import { personalDataHits } from '../../unit/agenda/personal-data';
import { EXPECTED_DOCUMENT, EXPECTED_FOLLOW_UP, SEED } from './agenda-seed';

const ROOT = path.join(__dirname, '..', '..', '..');
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

/** The CLI in this process with captured output; env is what the command sees. */
async function agenda(o: AgendaOptions, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runAgenda(o, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: tmp('tsm-agenda-cli-'), ...env },
  });
  return { code, stdout, stderr };
}

function seedFile(seed: unknown): string {
  const file = path.join(tmp('tsm-agenda-seed-'), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

/** The default seed's agenda worked out from the seed file alone (domain rules, no Nexus, no HTTP). */
function expectedFromDefaultSeed(date: string) {
  const seed = loadSeed();
  const district = loadDistricts(loadConfig({}))[0];
  const orgName = new Map(seed.organizations.map((o) => [o.id, o.name]));
  const onList = seed.citizens.filter((c) => (c.district ?? district.id) === district.id || c.district === district.name);
  const agenda = buildAgenda({
    meetingDate: date,
    rules: { ...district, formTitle: district.nexus.formTitle, tag: district.nexus.tag, organisations: district.nexus.organisations },
    notes: onList.flatMap((c) => c.notes.map((n) => ({ ...n, version: 1, citizenId: c.id, locked: n.state === 'Låst' }))),
    citizens: new Map(
      onList.map((c) => [c.id, { conditions: c.conditions, organisations: c.organizations.map((id) => orgName.get(id)!) }]),
    ),
  });
  return { ...toAgendaDocument(district.id, agenda), followUp: EXPECTED_FOLLOW_UP };
}

describe('tsm-bridge agenda (CLI)', () => {
  it('--dry-run --json on the default seed: one JSON document on stdout, logs elsewhere, no Redis started', async () => {
    const dataDir = tmp('tsm-agenda-spawn-');
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        '-r',
        path.join(ROOT, 'test', 'support', 'ts-register.js'),
        path.join(ROOT, 'src', 'cli.ts'),
        'agenda',
        '--date',
        '2026-12-03',
        '--dry-run',
        '--json',
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', DATA_DIR: dataDir },
        timeout: 60_000,
      },
    );
    const doc = JSON.parse(stdout); // throws if anything but one JSON document is on stdout
    expect(Object.keys(doc)).toEqual(['district', 'meetingDate', 'end', 'items', 'excluded', 'warnings', 'followUp']);
    for (const i of doc.items) expect(Object.keys(i)).toEqual(['noteId', 'citizenId', 'track', 'start', 'end', 'timeSetBy', 'warnings']);
    for (const e of doc.excluded)
      expect(Object.keys(e)).toEqual(
        e.reason === 'NOT_ON_MEETING_DATE' ? ['noteId', 'citizenId', 'reason', 'observationDate'] : ['noteId', 'citizenId', 'reason'],
      );
    expect(doc).toEqual(expectedFromDefaultSeed('2026-12-03'));
    // The seed's deliberate cases, by name (adapters/shared/seeds/default-seed.json).
    expect(doc.items[0]).toEqual({
      noteId: 5001,
      citizenId: 1001,
      track: 'rehab',
      start: '10:00',
      end: '10:10',
      timeSetBy: 'tsm-bridge',
      warnings: [],
    });
    expect(doc.excluded).toEqual(
      expect.arrayContaining([
        { noteId: 5014, citizenId: 1013, reason: 'LATE_NOTE' },
        { noteId: 5010, citizenId: 1010, reason: 'DUPLICATE_NOTE' },
      ]),
    );
    expect(doc.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ noteId: 5013, warnings: ['NO_TRACK'] }),
        expect.objectContaining({ noteId: 5012, warnings: ['MISSING_VISITATOR'] }),
      ]),
    );
    const starts = doc.items.map((i: { start: string }) => i.start);
    expect(starts).toEqual([...starts].sort());
    expect(personalDataHits(stdout, loadSeed(), { ids: false })).toEqual([]);
    expect(stderr).toContain('"msg":"agenda collected"'); // logging works, on stderr
    expect(existsSync(path.join(dataDir, 'redis'))).toBe(false);
  }, 60_000);

  it('--seed FILE --dry-run --json: the agenda of that seed, exactly', async () => {
    const r = await agenda({ date: '2026-12-03', seed: seedFile(SEED), dryRun: true, json: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ...EXPECTED_DOCUMENT, followUp: EXPECTED_FOLLOW_UP });
  });

  it('without --json: a readable table without names or CPR numbers', async () => {
    const r = await agenda({ date: '2026-12-03', seed: seedFile(SEED), dryRun: true });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Tværfagligt samarbejdsmøde Solhøj (solhoej) 2026-12-03: 3 item(s)');
    expect(lines).toEqual(
      expect.arrayContaining([
        '#  start  end    time set by  track    note  citizen  warnings',
        '1  10:00  10:10  tsm-bridge   rehab    6001  2001     -',
        '2  10:10  10:20  tsm-bridge   rehab    6002  2002     MISSING_VISITATOR',
        '3  11:00  11:10  tsm-bridge   complex  6003  2003     DEMENTIA_NEEDS_SYGEPLEJERSKER',
        '  note 6004  citizen 2004  LATE_NOTE',
        'Agenda warnings: none',
        'dry run: nothing was written',
      ]),
    );
    expect(personalDataHits(r.stdout, SEED, { ids: false })).toEqual([]);
  });

  it('publishes unless --dry-run: summary on stderr, Teams invitation in the outbox, GP invitation to VANS', async () => {
    const dataDir = tmp('tsm-agenda-publish-');
    const r = await agenda(
      { date: '2026-12-03', seed: seedFile(SEED), json: true },
      {
        DATA_DIR: dataDir,
        REDIS_URL: process.env.TEST_REDIS_URL!,
        QUEUE_PREFIX: `agendacli${process.pid}`,
        ADMIN_PASSWORD: 'test-admin-password',
        INTAKE_API_KEY: 'test-intake-key-0123456789',
      },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ...EXPECTED_DOCUMENT, followUp: EXPECTED_FOLLOW_UP });
    expect(r.stderr).toContain(
      'published: times 3 written, 0 unchanged, 0 removed; tasks 4 created, 0 existing; Teams invitation sent; GP invitations 1 sent',
    );
    const outbox = path.join(dataDir, 'outbox');
    expect(readdirSync(outbox).filter((f) => !f.startsWith('.'))).toEqual(['teams-invite.solhoej.2026-12-03']);
    const ics = readdirSync(path.join(outbox, 'teams-invite.solhoej.2026-12-03')).find((f) => f.endsWith('.ics'))!;
    expect(
      personalDataHits(readFileSync(path.join(outbox, 'teams-invite.solhoej.2026-12-03', ics), 'utf8').replace(/\r\n /g, ''), SEED),
    ).toEqual([]);
    const audit = readdirSync(path.join(dataDir, 'audit')).flatMap((f) =>
      readFileSync(path.join(dataDir, 'audit', f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    expect(audit.filter((a) => a.action === 'medcom.invite')).toEqual([
      expect.objectContaining({
        outcome: 'ok',
        noteId: 6001,
        ledgerKey: 'agenda-gp-invite:6001:2026-12-03:10:00',
        meetingId: 'solhoej/2026-12-03',
      }),
    ]);
  }, 30_000);

  it('says on stderr when the date is not in the district’s series, and builds it anyway', async () => {
    const r = await agenda({ date: '2026-12-04', seed: seedFile(SEED), dryRun: true, json: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      "note: 2026-12-04 is not in solhoej's meeting series (next meeting on or after it: 2026-12-17); building it anyway\n",
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ meetingDate: '2026-12-04', items: [] });
  });

  it('says on stderr when the date is a public holiday the schedule skips, and builds it anyway', async () => {
    const r = await agenda({ date: '2027-05-06', seed: seedFile(SEED), dryRun: true, json: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'note: 2027-05-06 is a public holiday (Kristi Himmelfartsdag); the scheduled agenda skips it; building it anyway\n',
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ meetingDate: '2027-05-06', items: [] });
  });

  it.each([
    ['a date in another format', { date: '03-12-2026' }, /--date must be a date YYYY-MM-DD/],
    ['an impossible date', { date: '2026-02-30' }, /--date must be a date YYYY-MM-DD/],
    ['an unknown district', { date: '2026-12-03', district: 'atlantis' }, /unknown district "atlantis"; configured: solhoej, nordvang/],
    ['a missing seed file', { date: '2026-12-03', seed: '/nonexistent/seed.json' }, /cannot read seed file/],
    ['a seed that is not JSON', { date: '2026-12-03', seed: 'GARBAGE' }, /cannot read seed file|invalid seed file/],
    ['a seed of the wrong shape', { date: '2026-12-03', seed: 'WRONG' }, /invalid seed file .*citizens\.0\.cpr/],
  ])('exits 2 with the reason on stderr for %s, printing nothing on stdout', async (_label, opts, reason) => {
    const o = { ...opts } as AgendaOptions;
    if (o.seed === 'GARBAGE')
      o.seed = (() => {
        const f = path.join(tmp('tsm-agenda-bad-'), 's.json');
        writeFileSync(f, '{ not json');
        return f;
      })();
    if (o.seed === 'WRONG') o.seed = seedFile({ citizens: [{ id: 1, cpr: 'x', firstName: 'A', lastName: 'B' }] });
    const r = await agenda({ ...o, dryRun: true, json: true });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(reason);
  });

  it('exits 2 on a bad configuration (districts file)', async () => {
    const r = await agenda({ date: '2026-12-03', dryRun: true, json: true }, { DISTRICTS_FILE: seedFile({ districts: [] }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Invalid configuration: DISTRICTS_FILE .*districts/);
  });

  it('exits 1 with the reason when Nexus cannot be reached', async () => {
    const r = await agenda(
      { date: '2026-12-03', dryRun: true, json: true },
      {
        NEXUS_BASE_URL: 'http://127.0.0.1:9/api/core/mobile/x/v2/',
        NEXUS_TOKEN_URL: 'http://127.0.0.1:9/token',
        NEXUS_CLIENT_ID: 'c',
        NEXUS_CLIENT_SECRET: 's3cret-value',
        NEXUS_TIMEOUT_MS: '500',
      },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).not.toContain('s3cret-value');
  }, 30_000);

  it('exits 2 when --date is missing (commander)', async () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await runCli(['node', 'tsm-bridge', 'agenda', '--dry-run']);
      expect(process.exitCode).toBe(2);
      expect(write.mock.calls.map((c) => String(c[0])).join('')).toMatch(/required option '--date <YYYY-MM-DD>'/);
    } finally {
      write.mockRestore();
      process.exitCode = 0;
    }
  });
});
