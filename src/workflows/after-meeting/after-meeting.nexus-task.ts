import type { CreateTaskInput, NexusPort } from '../../../adapters/nexus/nexus.port';
import type { Ledger, RunOnceResult } from '../../ledger/ledger';

type TaskOn = CreateTaskInput['on'];

/**
 * A Nexus task created once per ledger key. Nexus has no idempotency key, so a task whose outcome
 * is unknown (timeout, crash) is looked for by its title before another is created. Title, due date
 * and the object the task sits on come from the ledger entry: a retry finds or makes the first
 * attempt's task even if the facts moved on (a later note version, another day).
 */
export function createTaskOnce(
  d: { nexus: Pick<NexusPort, 'createTask' | 'findTasks'>; ledger: Pick<Ledger, 'runOnce'> },
  key: string,
  task: Omit<CreateTaskInput, 'on'> & { on: TaskOn },
): Promise<RunOnceResult> {
  const on = (meta: Record<string, string>): TaskOn => {
    if (meta.noteId) return 'noteId' in task.on && task.on.noteId === Number(meta.noteId) ? task.on : { noteId: Number(meta.noteId) };
    if (meta.citizenId) return { citizenId: Number(meta.citizenId) };
    return task.on; // an entry written before the object was kept in it
  };
  return d.ledger.runOnce(
    key,
    'nexus.task',
    {
      perform: async (e) =>
        String((await d.nexus.createTask({ ...task, on: on(e.meta), title: e.meta.title, dueDate: e.meta.dueDate })).id),
      reconcile: async (e) => {
        const found = await d.nexus.findTasks(on(e.meta), e.meta.title);
        return found.length ? String(found[0].id) : null;
      },
    },
    {
      title: task.title,
      dueDate: task.dueDate,
      ...('noteId' in task.on ? { noteId: String(task.on.noteId) } : { citizenId: String(task.on.citizenId) }),
    },
  );
}
