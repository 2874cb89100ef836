import 'reflect-metadata';
import type { Role } from '../../src/app.module';
import { runUntilSignal } from '../../src/main';

/**
 * Entry of a service child process (test/support/service-process.ts): the production start path
 * with its SIGTERM/SIGINT handling, config from the environment. argv: <role> <sandboxes true|false>.
 * Tells the parent over IPC when it is up, with the api's base URL if it listens.
 */
const [role = 'worker', sandboxes = 'false'] = process.argv.slice(2);
runUntilSignal({ role: role as Role, sandboxes: sandboxes === 'true' }).then(
  (svc) => process.send?.({ ready: true, baseUrl: svc.baseUrl }),
  (err: unknown) => {
    process.stderr.write(`service failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
