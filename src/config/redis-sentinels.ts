export interface SentinelAddress {
  host: string;
  port: number;
}

/**
 * "host:port,host:port" (IPv6 as "[::1]:26379") into addresses. The port is required: sentinels
 * listen on 26379 by convention, but a silently assumed port would hide a typo in the list.
 */
export function parseSentinels(list: string): SentinelAddress[] {
  const entries = list.split(',').map((e) => e.trim());
  return entries.map((entry) => {
    const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(entry);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) {
      throw new Error(`"${entry}" is not host:port; expected a comma-separated list like sentinel-1:26379,sentinel-2:26379`);
    }
    return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
  });
}
