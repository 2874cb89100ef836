import { Command } from 'commander';
import { runDemo } from '../demo/demo-cycle';
import { formatDemoSummary } from '../demo/demo-reconcile';

/**
 * `tsm-bridge demo [--json]`: one whole meeting cycle on the embedded default. Exit 0 only when
 * everything reconciled against the simulators' own state; otherwise 1 with what did not.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('run one whole meeting cycle against the built-in simulators and check that it reconciles')
    .option('--json', 'print the summary as one JSON document')
    .option('--seed <file>', 'sandbox seed file (default: the shipped Solhøj district)')
    .option('--district <id>', 'district id from the districts file (default: the first)')
    .option('--date <YYYY-MM-DD>', "meeting date (default: the seed's meeting with the most notes)")
    .option('--timeout <seconds>', 'give up after this long', '45')
    .action(async (o: { json?: boolean; seed?: string; district?: string; date?: string; timeout: string }) => {
      const timeoutS = Number(o.timeout);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new Error(`--timeout expects seconds > 0 (got ${o.timeout})`);
      const summary = await runDemo({
        seedFile: o.seed, districtId: o.district, meetingDate: o.date, timeoutMs: timeoutS * 1000,
        progress: o.json ? undefined : (line) => process.stderr.write(`  … ${line}\n`),
      });
      process.stdout.write(o.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatDemoSummary(summary)}\n`);
      if (!summary.reconciled) process.exitCode = 1;
    });
}
