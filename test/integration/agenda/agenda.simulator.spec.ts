import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { NexusClient, nexusClientOptions } from '../../../adapters/nexus/nexus.client';
import { startConfiguredNexusSandbox } from '../../../adapters/nexus/sandbox/nexus-sandbox.start';
import { NexusSandboxControl } from '../../../adapters/nexus/sandbox/nexus-sandbox.control';
import type { RunningNexusSandbox } from '../../../adapters/nexus/sandbox/nexus-sandbox';
import { OutboxNotifier } from '../../../adapters/notify/outbox.notifier';
import { AuditService } from '../../../src/audit/audit.service';
import type { AppConfig } from '../../../src/config/config.schema';
import { loadDistricts } from '../../../src/config/districts';
import { loadConfig } from '../../../src/config/load-config';
import { Ledger } from '../../../src/ledger/ledger';
import { AgendaStore } from '../../../src/workflows/agenda/agenda.store';
import { CollectAgenda, collectSettings } from '../../../src/workflows/agenda/agenda.collect';
import { PublishAgenda } from '../../../src/workflows/agenda/agenda.publish';
import { FakeDirectory, FakeMedcom } from './agenda-fakes';

/**
 * Issue 17 against the Nexus simulator over HTTP (shipped Solhøj seed, meeting 2026-12-03): a time the
 * coordinator sets in Nexus between two publications is theirs, and no publication writes over it.
 */
const D = '2026-12-03';

describe('agenda publication against the Nexus simulator: the coordinator’s time', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  let sandbox: RunningNexusSandbox;
  let config: AppConfig;
  const clients: NexusClient[] = [];
  const client = () => {
    const c = new NexusClient(nexusClientOptions(config));
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SANDBOX_RANDOM_SEED: '1234', NEXUS_TIMEOUT_MS: '2000' });
    const started = await startConfiguredNexusSandbox(base);
    sandbox = started.sandbox;
    config = { ...base, ...started.env };
    await new NexusSandboxControl(sandbox.url).reset();
  });
  afterAll(async () => {
    clients.forEach((c) => c.shutdown());
    await sandbox.stop();
    await redis.quit();
  });

  it('is unchanged after both publications, shown as the coordinator’s, and the invitation tasks carry it', async () => {
    const prefix = `agendasim${process.pid}`;
    const nexus = client();
    const districts = loadDistricts(config);
    const solhoej = districts.find((d) => d.id === 'solhoej')!;
    const store = new AgendaStore(redis, prefix);
    const audit = new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'tsm-agenda-sim-audit-')), prefix);
    const collect = new CollectAgenda(nexus, districts, store, audit, collectSettings(config));
    const publisher = new PublishAgenda({
      nexus,
      notify: new OutboxNotifier(mkdtempSync(path.join(os.tmpdir(), 'tsm-agenda-sim-outbox-'))),
      medcom: new FakeMedcom(),
      gpDirectory: new FakeDirectory(),
      ledger: new Ledger(redis, prefix),
      audit,
      store,
      settings: { autoAttach: false, taskType: config.NEXUS_TASK_TYPE },
      now: () => new Date('2026-11-30T15:00:00Z'),
    });
    const cycle = async () => {
      const { agenda } = await collect.collect('solhoej', D, { store: true });
      await publisher.publish(solhoej, agenda).catch((err: { code?: string }) => {
        // Other steps may fail for reasons of the seed; the times are what this test is about.
        if (err.code !== 'AGENDA_PUBLISH_INCOMPLETE') throw err;
      });
      return agenda;
    };

    const first = await cycle();
    const target = first.items.find((i) => i.track === 'rehab' && i.timeSetBy === 'tsm-bridge' && !i.locked)!;
    expect((await nexus.getNote(target.noteId)).items.Tidspunkt).toBe(target.start);

    // The coordinator ("tilretter tidspunkterne") sets an off-grid time in Nexus between the publications.
    const coordinatorsNexus = client();
    await coordinatorsNexus.setNoteTime(target.noteId, '10:55');

    for (let run = 0; run < 2; run++) {
      const agenda = await cycle();
      expect((await nexus.getNote(target.noteId)).items.Tidspunkt).toBe('10:55');
      expect(agenda.items.find((i) => i.noteId === target.noteId)).toMatchObject({
        start: '10:55',
        end: '11:05',
        timeSetBy: 'coordinator',
      });
      // Nobody else sits in the coordinator's interval [10:55, 11:05).
      const others = agenda.items.filter((i) => i.noteId !== target.noteId).map((i) => i.start);
      expect(others.filter((s) => s > '10:45' && s < '11:05')).toEqual([]);
      // Listed by start time.
      expect(agenda.items.map((i) => i.start)).toEqual([...agenda.items.map((i) => i.start)].sort());
    }
    // The invitation tasks (the latest per organisation) show the coordinator's slot, not the proposed one.
    const { tasks } = await new NexusSandboxControl(sandbox.url).state();
    const mentioning = tasks.filter((t) => t.description.includes(`(notat ${target.noteId})`) && t.title.includes('invitation'));
    expect(mentioning.length).toBeGreaterThan(0);
    const latest = new Map(mentioning.map((t) => [t.organisationName, t]));
    for (const t of latest.values()) expect(t.description).toMatch(new RegExp(`- 10:55–11:05 .*\\(notat ${target.noteId}\\)`));
    const audited = (await audit.query({ noteId: target.noteId })).filter((r) => r.action === 'nexus.time').map((r) => r.externalIds?.time);
    expect(audited).toEqual([target.start]); // written once, by the first publication only
  });
});
