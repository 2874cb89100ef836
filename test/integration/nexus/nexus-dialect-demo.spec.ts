import { runDemo } from '../../../src/demo/demo-cycle';
import { TEST_NOW } from '../../support/test-clock';

/**
 * The whole meeting cycle against each public client's view of Nexus (SANDBOX_NEXUS_DIALECT):
 * Odense (titles under formDefinition, node `self` is the form, drafts "Aktivt", relations without
 * `removeFromPatient`) and Nyborg (node `self` → reference document → `referenceObject`, required
 * items). One demo per dialect: a run takes a while. The default (kmd) runs in the clock matrix.
 */
describe('demo on each Nexus dialect', () => {
  it.each(['odense', 'nyborg'])(
    '%s: the cycle reconciles and the summary names the dialect',
    async (dialect) => {
      const summary = await runDemo({
        now: TEST_NOW,
        redisUrl: process.env.TEST_REDIS_URL,
        logLevel: 'silent',
        timeoutMs: 90_000,
        env: { SANDBOX_NEXUS_DIALECT: dialect },
      });
      expect(summary.problems).toEqual([]);
      expect(summary).toMatchObject({ reconciled: true, nexusDialect: dialect, deadLetters: 0, edocDuplicates: 0 });
      expect(summary.agendaItems).toBeGreaterThan(5);
      expect(summary.notesDone).toBe(summary.agendaItems);
    },
    120_000,
  );

  it('an unknown dialect is a configuration error naming the variable', async () => {
    await expect(
      runDemo({
        now: TEST_NOW,
        redisUrl: process.env.TEST_REDIS_URL,
        logLevel: 'silent',
        timeoutMs: 10_000,
        env: { SANDBOX_NEXUS_DIALECT: 'aarhus' },
      }),
    ).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringContaining('SANDBOX_NEXUS_DIALECT') });
  });
});
