import http from 'node:http';
import https from 'node:https';

/**
 * axios turns TCP keep-alive on for every request it sends, with a 60 s probe delay, and node's
 * pooling agent sets it back to its own `keepAliveMsecs` (1 s by default) each time it parks the
 * socket: two socket-option system calls per request (≈ 0.8 ms of main-thread CPU per note in
 * `npm run bench:profile`). Agents that ask for the same 60 s leave the option as it is, so it is
 * set once per connection.
 */
export const AXIOS_KEEP_ALIVE_MS = 60_000;

/** Pooling HTTP and HTTPS agents whose keep-alive agrees with axios's (`maxSockets`: a per-system connection bound). */
export function keepAliveAgents(opts: { maxSockets?: number } = {}): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const options = { keepAlive: true, keepAliveMsecs: AXIOS_KEEP_ALIVE_MS, ...opts };
  return { httpAgent: new http.Agent(options), httpsAgent: new https.Agent(options) };
}

/** Closes the agents' pooled connections (a client's shutdown). */
export function destroyAgents(agents: { httpAgent: http.Agent; httpsAgent: https.Agent }): void {
  agents.httpAgent.destroy();
  agents.httpsAgent.destroy();
}
