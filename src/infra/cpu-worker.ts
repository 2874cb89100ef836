import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { serializeError } from './cpu-pool';

/**
 * The body of a CpuPool thread: loads the tasks module and runs its warm-up (CPU_WARMUP: first-use
 * costs such as decoding font metrics, so a task's time budget measures the task), says it is ready,
 * then runs each task it is sent and answers with the result or the error (class and code kept, see
 * serializeError).
 */
type TaskTable = Record<string, (input: unknown) => unknown>;

const port = parentPort;
if (!port) throw new Error('cpu-worker runs only as a worker thread');

async function main(port: MessagePort): Promise<void> {
  const loaded = (await import((workerData as { tasksModule: string }).tasksModule)) as {
    CPU_TASKS: TaskTable;
    CPU_WARMUP?: () => unknown;
  };
  const tasks = loaded.CPU_TASKS;
  port.on('message', async (m: { id: number; name: string; input: unknown }) => {
    try {
      const task = Object.prototype.hasOwnProperty.call(tasks, m.name) ? tasks[m.name] : undefined;
      if (!task) throw new Error(`no CPU task named ${m.name}`);
      port.postMessage({ type: 'done', id: m.id, ok: true, value: await task(m.input) });
    } catch (err) {
      port.postMessage({ type: 'done', id: m.id, ok: false, error: serializeError(err) });
    }
  });
  try {
    await loaded.CPU_WARMUP?.();
  } catch {
    // A warm-up that fails costs the first task its first-use time, nothing more.
  }
  port.postMessage({ type: 'ready' });
}

// A tasks module that does not load is an unhandled rejection: it ends the thread with that error,
// and the pool fails the tasks waiting for it.
void main(port);
