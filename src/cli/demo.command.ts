import { Command, InvalidArgumentError } from 'commander';
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
    .option('--date <YYYY-MM-DD>', "meeting date (default: the seed's meeting with the most notes)", isoDate)
    .option('--timeout <seconds>', 'give up after this long', seconds, 45)
    .action(async (o: { json?: boolean; seed?: string; district?: string; date?: string; timeout: number }) => {
      const summary = await runDemo({
        seedFile: o.seed,
        districtId: o.district,
        meetingDate: o.date,
        timeoutMs: o.timeout * 1000,
        progress: o.json ? undefined : (line) => process.stderr.write(`  … ${line}\n`),
      });
      process.stdout.write(o.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatDemoSummary(summary)}\n`);
      if (!summary.reconciled) process.exitCode = 1;
    });
}

function isoDate(value: string): string {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  }
  return value;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected seconds > 0');
  return n;
}
