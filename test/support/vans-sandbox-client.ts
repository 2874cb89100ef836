import type { VansFaults, VansStats } from '../../adapters/medcom/sandbox/vans-sandbox';

/** The VANS sandbox's loopback control API, as a test in any process reaches it. */
export function vansSandbox(port: number) {
  const base = `http://127.0.0.1:${port}/_sandbox`;
  const json = async <T>(res: Response): Promise<T> => {
    if (!res.ok) throw new Error(`VANS sandbox answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    stats: async () => json<VansStats>(await fetch(`${base}/stats`)),
    faults: async () => json<VansFaults>(await fetch(`${base}/faults`)),
    setFaults: async (f: Partial<VansFaults>) =>
      json<VansFaults>(
        await fetch(`${base}/faults`, { method: 'POST', body: JSON.stringify(f), headers: { 'content-type': 'application/json' } }),
      ),
    reset: async () => json<VansStats>(await fetch(`${base}/reset`, { method: 'POST' })),
  };
}
