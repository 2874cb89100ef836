import axios, { AxiosInstance } from 'axios';
import type { NexusFaults } from './nexus-sandbox';

export interface SandboxNoteView {
  id: number;
  citizenId: number;
  formTitle: string;
  state: string;
  locked: boolean;
  version: number;
  tags: string[];
  observationTimestamp: string;
  createDate: string;
  updateDate: string;
  items: Record<string, string>;
}

export interface SandboxStateView {
  citizens: Array<{ id: number; list: string }>;
  notes: SandboxNoteView[];
  relations: Array<{ id: number; citizenId: number; organisationId: number; organisationName: string; inForce: boolean }>;
  tasks: Array<{
    id: number;
    on: { noteId: number } | { citizenId: number };
    typeName: string;
    title: string;
    description: string;
    startDate: string | null;
    dueDate: string | null;
    organisationId: number;
    organisationName: string;
  }>;
}

export interface SandboxStats {
  total: number;
  /** Calls per "METHOD /endpoint/template" (token calls as "POST /token"). */
  calls: Record<string, number>;
}

/** Typed access to the Nexus simulator's /_sandbox/* endpoints, for tests, demo and benchmarks. */
export class NexusSandboxControl {
  private readonly http: AxiosInstance;

  constructor(sandboxUrl: string) {
    this.http = axios.create({ baseURL: sandboxUrl, timeout: 10_000 });
  }

  async state(): Promise<SandboxStateView> {
    return (await this.http.get('/_sandbox/state')).data;
  }

  async note(id: number): Promise<SandboxNoteView> {
    const note = (await this.state()).notes.find((n) => n.id === id);
    if (!note) throw new Error(`sandbox has no note ${id}`);
    return note;
  }

  async stats(): Promise<SandboxStats> {
    return (await this.http.get('/_sandbox/stats')).data;
  }

  async setFaults(faults: Partial<NexusFaults>): Promise<NexusFaults> {
    return (await this.http.post('/_sandbox/faults', faults)).data;
  }

  /** Reloads the seed, clears stats and restores the start-up fault knobs and PRNG. */
  async reset(): Promise<void> {
    await this.http.post('/_sandbox/reset');
  }

  /** "Holds the meeting" for a note: writes conclusion items and saves it locked (new version). */
  async conclude(noteId: number, items: Record<string, string>): Promise<{ id: number; version: number; state: string }> {
    return (await this.http.post(`/_sandbox/notes/${noteId}/conclude`, { items })).data;
  }

  /** Invalidates every issued access token (clients must renew on the next 401). */
  async revokeTokens(): Promise<number> {
    return (await this.http.post('/_sandbox/tokens/revoke')).data.revoked;
  }
}
