#!/usr/bin/env node
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './cli/commands';
import { ConfigError } from './config/load-config';

/** Nested sub-commands (dlq purge) do not inherit exitOverride set on their parent afterwards. */
function withExitOverride(command: Command): Command {
  command.exitOverride();
  command.commands.forEach(withExitOverride);
  return command;
}

/** Exit codes: 0 ok, 1 failure, 2 bad arguments or configuration. */
export async function runCli(argv: string[]): Promise<void> {
  const program = new Command('tsm-bridge')
    .description('Integration middleware for collaboration meetings: Nexus, eDoc, MedCom')
    .exitOverride()
    .showHelpAfterError();
  for (const make of COMMANDS) program.addCommand(withExitOverride(make()));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

/** One-shot commands whose clients may keep reconnecting to a Redis that went away after they answered. */
const ONE_SHOT = ['demo'];

if (require.main === module) {
  void runCli(process.argv).then(() => {
    // The command has answered and set its exit code; a leftover handle (a client still reconnecting
    // to a Redis that is gone) gets a moment, then the process ends instead of hanging. unref: a clean
    // run exits at once, without waiting for this timer.
    if (ONE_SHOT.includes(process.argv[2])) setTimeout(() => process.exit(), 1000).unref();
  });
}
