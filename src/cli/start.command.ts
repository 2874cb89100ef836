import { Command, Option } from 'commander';
import { runUntilSignal } from '../main';

export function startCommand(): Command {
  return new Command('start')
    .description('run the service (api, worker or all) until SIGTERM/SIGINT')
    .addOption(new Option('--role <role>', 'process role').choices(['api', 'worker', 'all']).default(process.env.ROLE ?? 'all'))
    .action(async (o: { role: 'api' | 'worker' | 'all' }) => {
      await runUntilSignal({ role: o.role });
    });
}
