import 'reflect-metadata';
import { startService } from '../../src/main';

/**
 * Entry of a worker child process for crash tests: config from the environment (pointed at the test's
 * sandboxes and Redis), no simulators of its own. Tells the parent over IPC when it is ready.
 */
startService({ role: 'worker', sandboxes: false }).then(
  () => process.send?.({ ready: true }),
  (err: unknown) => {
    process.stderr.write(`worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
