import { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../../src/audit/audit.service';
import { runCli } from '../../../src/cli';
import type { RunningService } from '../../../src/main';
import { serviceProcessEnv } from '../../support/service-process';
import { eventually, startTestService } from '../../support/test-service';

/** `tsm-bridge dlq …` in-process against the same Redis and queue prefix as a running worker. */
describe('tsm-bridge dlq', () => {
  const env = serviceProcessEnv({ LOG_LEVEL: 'silent' });
  const saved = { ...process.env };
  let worker: RunningService;
  let gw: QueueGateway;

  beforeAll(async () => {
    Object.assign(process.env, env, { USER: 'ops-test' });
    worker = await startTestService('worker', env, { sandboxes: false });
    gw = worker.app.get(QueueGateway);
    await gw.enqueue('maintenance.noop', { permanent: true, n: 9 }, { jobId: 'cli-dlq' });
    await eventually(async () => (await gw.jobState('maintenance', 'cli-dlq')) === 'failed');
  });
  afterAll(async () => {
    process.env = saved;
    await worker?.stop();
  });

  async function cli(...args: string[]): Promise<{ out: string; code: number }> {
    const chunks: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
    const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
    process.exitCode = 0;
    try {
      await runCli(['node', 'tsm-bridge', ...args]);
    } finally {
      spy.mockRestore();
      errSpy.mockRestore();
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { out: chunks.join(''), code };
  }

  it('lists and shows a dead letter with reason, attempts and payload ids', async () => {
    const list = await cli('dlq', 'list', '--json');
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.out);
    expect(rows).toEqual([expect.objectContaining({ id: 'maintenance/cli-dlq', attemptsMade: 1, payload: { permanent: true, n: 9 } })]);
    expect(rows[0].reason).toContain('[NOOP_PERMANENT]');

    const show = await cli('dlq', 'show', 'maintenance/cli-dlq');
    expect(JSON.parse(show.out)).toEqual(rows[0]);
    const missing = await cli('dlq', 'show', 'maintenance/nope');
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('no dead letter maintenance/nope');
  });

  it('retries one, audited with the operator as actor, and refuses a bad age', async () => {
    const retry = await cli('dlq', 'retry', 'maintenance/cli-dlq');
    expect(retry).toEqual({ out: 'retried 1\n', code: 0 });
    const audit = worker.app.get(AuditService);
    expect((await audit.query({})).some((r) => r.action === 'admin.retry' && r.actor === 'cli:ops-test')).toBe(true);
    await eventually(async () => (await gw.jobState('maintenance', 'cli-dlq')) === 'failed');

    expect((await cli('dlq', 'purge', '--older-than', 'soon')).code).toBe(2);
    expect(await cli('dlq', 'purge', '--older-than', '30d')).toEqual({ out: 'purged 0\n', code: 0 });
    expect(await gw.jobState('maintenance', 'cli-dlq')).toBe('failed');
  });
});
