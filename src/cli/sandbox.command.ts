import { Command } from 'commander';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gpDirectoryFromSeed } from '../../adapters/directory/file-gp-directory';
import { loadSeed } from '../../adapters/shared/sandbox-seed';
import type { AppConfig } from '../config/config.schema';
import { describeConfig, loadConfig, secretValues } from '../config/load-config';
import { RunningSandboxes, startSandboxes } from '../infra/sandboxes';
import { createLogger, rootLogger, setRootLogger } from '../logging/logger';

/**
 * Every simulator, whatever the config says about real endpoints: this process *is* the sandbox
 * (docker-compose's sandbox service). Fixed ports and bind address come from SANDBOX_NEXUS_PORT,
 * SANDBOX_EDOC_PORT, SANDBOX_VANS_PORT and SANDBOX_HOST; the VANS simulator answers in
 * MEDCOM_OUT_DIR/MEDCOM_IN_DIR and the GP directory is written under DATA_DIR (a volume shared
 * with the workers).
 */
export async function startStandaloneSandboxes(config: AppConfig): Promise<{ running: RunningSandboxes; settings: string[] }> {
  const running = await startSandboxes({ ...config, sandbox: { nexus: true, edoc: true, medcom: true } });
  // What the simulators filled in: the settings an api/worker needs to reach them (secrets hidden).
  const before = config as unknown as Record<string, unknown>;
  const shown = describeConfig(running.config);
  const settings = Object.keys(shown)
    .filter((k) => k !== 'sandbox' && shown[k] !== undefined && running.config[k as keyof AppConfig] !== before[k])
    .map((k) => `${k}=${String(shown[k])}`);
  settings.push(`GP_DIRECTORY_FILE=${writeGpDirectory(config)}`);
  return { running, settings };
}

/**
 * Clients that see the VANS folders as real (MEDCOM_OUT_DIR set) take GPs only from a directory
 * file, never from a seed: write the seed's practices as that file, atomically, into DATA_DIR.
 */
function writeGpDirectory(config: AppConfig): string {
  const file = path.resolve(config.DATA_DIR, 'sandbox', 'gp-directory.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(gpDirectoryFromSeed(loadSeed(config.SANDBOX_SEED)), null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return file;
}

export function sandboxCommand(): Command {
  return new Command('sandbox')
    .description('run only the built-in simulators (Nexus, eDoc, VANS) until SIGTERM/SIGINT')
    .action(async () => {
      const config = loadConfig(process.env);
      setRootLogger(createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config) }));
      const { running, settings } = await startStandaloneSandboxes(config);
      process.stdout.write(`tsm-bridge sandbox running; clients reach it with:\n${settings.map((s) => `  ${s}\n`).join('')}`);
      const stop = (signal: string) => {
        rootLogger().info({ signal }, 'sandbox stopping');
        running.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
