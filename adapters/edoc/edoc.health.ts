import { errorCode } from '../../src/common/errors';
import { rootLogger } from '../../src/logging/logger';
import type { EdocClient } from './edoc.client';
import { CodeListName, CodeMismatch, EdocCodeLists, OBJECT_GROUPS, RemoteCode, remoteCode } from './edoc.code-lists';

/** What /health/ready shows of eDoc: ids, names of code lists and error codes only. */
export interface EdocReadiness {
  /** The code-list file compared with eDoc's GetItemList at start-up. */
  codeLists: { state: 'ok' } | { state: 'mismatch'; mismatched: string[] } | { state: 'unchecked'; code?: string } | { state: 'off' };
  /** GetSystemInfo, at most once per EDOC_READINESS_CHECK_MS. */
  system: { state: 'up' | 'down'; code?: string; checkedAt: string };
}

export interface EdocHealthOptions {
  /** Compare code lists at start-up (EDOC_CODE_LIST_CHECK). */
  codeListCheck: boolean;
  /** How long a GetSystemInfo answer counts (EDOC_READINESS_CHECK_MS). */
  checkEveryMs: number;
  now: () => Date;
}

/** Every live eDoc health (one per process in practice), so /health/ready can ask without injection. */
const healths = new Set<EdocHealth>();

/** The readiness of the live eDoc client, or undefined when eDoc is not configured in this process. */
export async function edocReadiness(): Promise<EdocReadiness | undefined> {
  for (const h of healths) return h.readiness();
  return undefined;
}

/**
 * eDoc's health for readiness: the code-list check (GetItemList per object group, compared with the
 * configured names at start-up; a confirmed mismatch fails readiness and refuses lookups of those names)
 * and GetSystemInfo (a cheap call without parameters). Neither ever blocks the boot.
 */
export class EdocHealth {
  private codeLists: EdocReadiness['codeLists'];
  private system?: EdocReadiness['system'];
  private systemAt = 0;
  private systemInFlight?: Promise<EdocReadiness['system']>;
  private codeListInFlight?: Promise<void>;
  private codeListsAt = 0;

  constructor(
    private readonly client: EdocClient,
    private readonly codes: EdocCodeLists,
    private readonly opts: EdocHealthOptions,
  ) {
    this.codeLists = opts.codeListCheck ? { state: 'unchecked' } : { state: 'off' };
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  onModuleDestroy(): void {
    this.stop();
  }

  /** Registers for readiness and starts the code-list check in the background. */
  start(): void {
    if (!this.client.configured) return;
    healths.add(this);
    void this.checkCodeLists();
  }

  stop(): void {
    healths.delete(this);
  }

  /** Compares the configured code lists with eDoc's (one GetItemList per object group). */
  checkCodeLists(): Promise<void> {
    if (!this.opts.codeListCheck) return Promise.resolve();
    this.codeListInFlight ??= this.runCodeListCheck().finally(() => {
      this.codeListInFlight = undefined;
    });
    return this.codeListInFlight;
  }

  private async runCodeListCheck(): Promise<void> {
    this.codeListsAt = this.opts.now().getTime();
    try {
      const remote: Partial<Record<CodeListName, RemoteCode[]>> = {};
      for (const [list, group] of Object.entries(OBJECT_GROUPS) as Array<[CodeListName, string]>) {
        const items = await this.client.itemList(group);
        remote[list] = items.map((i) => remoteCode(group, i)).filter((c): c is RemoteCode => c !== undefined);
      }
      const mismatches = this.codes.verify(remote);
      this.codeLists = mismatches.length ? { state: 'mismatch', mismatched: mismatches.map(describe) } : { state: 'ok' };
      if (mismatches.length)
        rootLogger().error(
          { mismatched: this.codeLists.state === 'mismatch' ? this.codeLists.mismatched : [] },
          'eDoc code lists differ from the configured file',
        );
    } catch (err) {
      this.codeLists = { state: 'unchecked', code: errorCode(err) };
      rootLogger().warn({ code: errorCode(err) }, 'eDoc code lists not checked; readiness tries again');
    }
  }

  async readiness(): Promise<EdocReadiness> {
    // A check that could not run (eDoc unreachable at start-up) is tried again with the readiness probe.
    const due = this.opts.now().getTime() - this.codeListsAt >= this.opts.checkEveryMs;
    if (this.codeLists.state === 'unchecked' && (due || this.codeListInFlight)) await this.checkCodeLists();
    return { codeLists: this.codeLists, system: await this.systemInfo() };
  }

  private systemInfo(): Promise<EdocReadiness['system']> {
    const now = this.opts.now().getTime();
    if (this.system && now - this.systemAt < this.opts.checkEveryMs) return Promise.resolve(this.system);
    this.systemInFlight ??= this.client
      .systemInfo()
      .then((): EdocReadiness['system'] => ({ state: 'up', checkedAt: this.opts.now().toISOString() }))
      .catch((err): EdocReadiness['system'] => ({ state: 'down', code: errorCode(err), checkedAt: this.opts.now().toISOString() }))
      .then((s) => {
        this.system = s;
        this.systemAt = now;
        return s;
      })
      .finally(() => {
        this.systemInFlight = undefined;
      });
    return this.systemInFlight;
  }
}

/** "document type Notat: file 60005, eDoc 60006" / "…: not in eDoc" — configuration only. */
function describe(m: CodeMismatch): string {
  const label = { documentTypes: 'document type', documentStatuses: 'document status', archiveFormats: 'archive format' }[m.list];
  return `${label} ${m.name}: ${m.edoc === undefined ? `not in eDoc's ${OBJECT_GROUPS[m.list]} list` : `file ${m.configured}, eDoc ${m.edoc}`}`;
}
