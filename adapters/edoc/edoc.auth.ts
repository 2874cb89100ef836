import axios, { AxiosError, AxiosInstance, AxiosRequestConfig } from 'axios';
import { NtlmClient } from 'axios-ntlm';
import { destroyAgents, keepAliveAgents } from '../shared/keep-alive-agents';

export interface EdocAuthSettings {
  mode: 'ntlm' | 'basic';
  user: string;
  password: string;
  domain?: string;
}

export interface EdocTransport {
  axios: AxiosInstance;
  /** Merged into every request (NTLM needs 401s to reach its handshake interceptor). */
  requestDefaults: AxiosRequestConfig;
  /** NTLM authenticates a connection, not a request: one handshake at a time on one socket. */
  maxConcurrency?: number;
  /** Closes the transport's pooled connections (shutdown). */
  close?: () => void;
}

/**
 * The HTTP client for eDoc with pluggable authentication: NTLM for a real eDoc (its service account
 * sits behind IIS Windows authentication) and HTTP Basic for the sandbox.
 */
export function createEdocTransport(auth: EdocAuthSettings): EdocTransport {
  if (auth.mode === 'basic') {
    // As ResilientHttp's own instance: no redirects (an API answer is never one) and keep-alive agents.
    const agents = keepAliveAgents();
    return {
      axios: axios.create({ auth: { username: auth.user, password: auth.password }, maxRedirects: 0, ...agents }),
      requestDefaults: {},
      close: () => destroyAgents(agents),
    };
  }
  const agents = keepAliveAgents({ maxSockets: 1 });
  const client = NtlmClient(
    { username: auth.user, password: auth.password, domain: auth.domain ?? '' },
    // One connection: the NTLM handshake authenticates the connection, not the request. No redirects,
    // as for every API client here (the handshake is 401s on the same URL, never a redirect).
    { maxRedirects: 0, ...agents },
  );
  // axios-ntlm handles the 401 challenge in an error interceptor, so 401 must reject. A 401 that
  // survives the handshake (wrong password) is handed back as a response so it is classified
  // like any other 4xx (permanent) instead of as a network failure.
  client.interceptors.response.use(undefined, (err: AxiosError) => {
    if (err.response?.status === 401) return err.response;
    return Promise.reject(err);
  });
  return { axios: client, requestDefaults: { validateStatus: (s) => s !== 401 }, maxConcurrency: 1, close: () => destroyAgents(agents) };
}
