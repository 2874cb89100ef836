import { Command, InvalidArgumentError } from 'commander';
import { QueueGateway } from '../../queues/queue.gateway';
import { parseAge } from '../common/duration';
import { startService } from '../main';

/** Runs fn against the queues without starting workers or HTTP (shares the running embedded Redis if any). */
async function withGateway<T>(fn: (g: QueueGateway) => Promise<T>): Promise<T> {
  const svc = await startService({ role: 'api', listen: false, sandboxes: false });
  try {
    return await fn(svc.app.get(QueueGateway));
  } finally {
    await svc.stop();
  }
}

/** A bad age is a usage error (exit 2), reported before anything connects to Redis. */
function ageArgument(value: string): number {
  try {
    return parseAge(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

const actor = () => `cli:${process.env.USER ?? 'operator'}`;

export function dlqCommand(): Command {
  const dlq = new Command('dlq').description('dead letters: jobs that failed for good');
  dlq
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const rows = await withGateway((g) => g.deadLetters());
      if (o.json) return void process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      if (!rows.length) return void process.stdout.write('no dead letters\n');
      for (const r of rows) process.stdout.write(`${r.id}\t${r.name}\tattempts=${r.attemptsMade}\t${r.failedAt ?? ''}\t${r.reason}\n`);
    });
  dlq.command('show <id>').action(async (id: string) => {
    const row = await withGateway((g) => g.deadLetter(id));
    if (!row) {
      process.stderr.write(`no dead letter ${id}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(JSON.stringify(row, null, 2) + '\n');
  });
  dlq
    .command('retry [id]')
    .option('--all', 'retry every dead letter')
    .action(async (id: string | undefined, o: { all?: boolean }) => {
      if (!id && !o.all) throw new Error('give a dead-letter id or --all');
      const n = await withGateway(async (g) => (o.all ? g.retryAllDeadLetters(actor()) : (await g.retryDeadLetter(id!, actor())) ? 1 : 0));
      process.stdout.write(`retried ${n}\n`);
      if (!o.all && n === 0) process.exitCode = 1;
    });
  dlq
    .command('purge')
    .requiredOption('--older-than <age>', 'e.g. 30d', ageArgument)
    .action(async (o: { olderThan: number }) => {
      const n = await withGateway((g) => g.purgeDeadLetters(o.olderThan, actor()));
      process.stdout.write(`purged ${n}\n`);
    });
  return dlq;
}
