import type { Command } from 'commander';
import { agendaCommand } from './agenda.command';
import { demoCommand } from './demo.command';
import { dlqCommand } from './dlq.command';
import { medcomCommand } from './medcom.command';
import { sandboxCommand } from './sandbox.command';
import { startCommand } from './start.command';

/** Every CLI sub-command; each lives in its own file. */
export const COMMANDS: Array<() => Command> = [startCommand, dlqCommand, agendaCommand, demoCommand, medcomCommand, sandboxCommand];
