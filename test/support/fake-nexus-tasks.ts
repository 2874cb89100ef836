import type { CreateTaskInput, NexusCitizen, NexusCitizenIdentity } from '../../adapters/nexus/nexus.port';
import { RetryableError } from '../../src/common/errors';

/** The task side of the in-memory Nexus fakes: created tasks are kept so tests assert outcomes. */
export interface FakeTaskBoard<T extends { id: number; on: CreateTaskInput['on']; title: string }> {
  tasks: T[];
  /** The next this many creations land in Nexus but answer with a timeout (an unknown outcome). */
  loseTaskReplies: number;
}

export function createFakeTask<T extends { id: number; on: CreateTaskInput['on']; title: string }>(
  board: FakeTaskBoard<T>,
  task: T,
): { id: number } {
  board.tasks.push(task);
  if (board.loseTaskReplies > 0) {
    board.loseTaskReplies--;
    throw new RetryableError('timeout after the task was created', 'ETIMEDOUT', 'nexus');
  }
  return { id: task.id };
}

export function findFakeTasks(
  board: FakeTaskBoard<{ id: number; on: CreateTaskInput['on']; title: string }>,
  on: CreateTaskInput['on'],
  title: string,
): Array<{ id: number; title: string }> {
  return board.tasks
    .filter((t) => JSON.stringify(t.on) === JSON.stringify(on) && t.title === title)
    .map((t) => ({ id: t.id, title: t.title }));
}

export function identityOf(citizen: NexusCitizen): NexusCitizenIdentity {
  const { conditions: _omit, ...identity } = citizen;
  return identity;
}
