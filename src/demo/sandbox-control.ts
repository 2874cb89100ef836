import type { AppConfig } from '../config/config.schema';
import type { DemoObservations } from './demo-reconcile';

/**
 * The simulators' own control endpoints (/_sandbox/*), which the demo and tests use to act as the
 * meeting and to read what really happened in each system. Never used against a real system.
 */
export class SandboxControl {
  constructor(
    private readonly nexusOrigin: string,
    private readonly edocOrigin: string,
    private readonly vansOrigin: string,
  ) {}

  static fromConfig(config: AppConfig): SandboxControl {
    const need = (value: string | undefined, name: string) => {
      if (!value) throw new Error(`${name} is not set: the demo needs the built-in simulators`);
      return new URL(value).origin;
    };
    const vans = config.SANDBOX_VANS_PORT ? `http://${config.SANDBOX_HOST}:${config.SANDBOX_VANS_PORT}` : undefined;
    return new SandboxControl(
      need(config.SANDBOX_NEXUS_URL, 'SANDBOX_NEXUS_URL'),
      need(config.EDOC_URL, 'EDOC_URL'),
      need(vans, 'SANDBOX_VANS_PORT'),
    );
  }

  /** "Holds the meeting" for one note: writes the conclusion items and locks it. */
  async concludeNote(noteId: number, items: Record<string, string>): Promise<{ version: number }> {
    return this.json(`${this.nexusOrigin}/_sandbox/notes/${noteId}/conclude`, { items });
  }

  /** Takes a locked note back to draft (a correction); concluding it again locks a new version. */
  async reopenNote(noteId: number): Promise<{ version: number }> {
    return this.json(`${this.nexusOrigin}/_sandbox/notes/${noteId}/reopen`, {});
  }

  async nexusState(): Promise<DemoObservations['nexus']> {
    const s = await this.json<{ notes: DemoObservations['nexus']['notes']; tasks: DemoObservations['nexus']['tasks'] }>(
      `${this.nexusOrigin}/_sandbox/state`,
    );
    return { notes: s.notes, tasks: s.tasks };
  }

  async edocState(): Promise<DemoObservations['edoc']> {
    const [stats, state] = await Promise.all([
      this.json<{ documents: number; duplicates: number }>(`${this.edocOrigin}/_sandbox/stats`),
      this.json<{ cases: Array<{ documents: Array<{ title: string }> }> }>(`${this.edocOrigin}/_sandbox/state`),
    ]);
    return {
      documents: stats.documents,
      duplicates: stats.duplicates,
      titles: state.cases.flatMap((c) => c.documents.map((d) => d.title)),
    };
  }

  async vansState(): Promise<DemoObservations['vans']> {
    const stats = await this.json<{ envelopesPerLetter: Record<string, number>; positiveReceipts: number }>(
      `${this.vansOrigin}/_sandbox/stats`,
    );
    return { envelopesPerLetter: stats.envelopesPerLetter, positiveReceipts: stats.positiveReceipts };
  }

  private async json<T>(url: string, body?: unknown): Promise<T> {
    const res = await fetch(
      url,
      body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    );
    if (!res.ok) throw new Error(`sandbox ${new URL(url).pathname}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }
}
