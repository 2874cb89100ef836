import { OnApplicationShutdown } from '@nestjs/common';
import path from 'node:path';
import type { ParsedInbound } from '../../../adapters/medcom/receipt.parser';
import { refuse } from '../../../adapters/medcom/xml/safe-xml';
import { PermanentError } from '../../common/errors';
import type { AppConfig } from '../../config/config.schema';
import type { FormPdfInput } from '../../documents/form-pdf.renderer';
import type { NotePdfInput } from '../../documents/note-pdf.renderer';
import { CpuPool } from '../../infra/cpu-pool';
import type { CPU_TASKS, CpuTaskName } from './cpu-work.tasks';

export interface CpuWorkSettings {
  /** Worker threads at most (CPU_THREADS). */
  threads: number;
  /** Time budget of one PDF (PDF_RENDER_TIMEOUT_MS). */
  renderBudgetMs: number;
  /** Time budget of parsing one in-folder file (MEDCOM_INBOX_PARSE_TIMEOUT_MS). */
  parseBudgetMs: number;
}

export function cpuWorkSettings(c: AppConfig): CpuWorkSettings {
  return { threads: c.CPU_THREADS, renderBudgetMs: c.PDF_RENDER_TIMEOUT_MS, parseBudgetMs: c.MEDCOM_INBOX_PARSE_TIMEOUT_MS };
}

/**
 * The service's CPU-heavy work – the PDFs filed on eDoc and mailed (note and form PDFs), and parsing
 * files from the VANS in-folder – done on worker threads (CpuPool), each under a time budget. The
 * event loop stays free for HTTP (/health/live), BullMQ lock renewal and timers, whatever the input.
 *
 * Over budget, the work is stopped and fails permanently – RENDER_TIMEOUT (the job is dead-lettered
 * with that code at once) or RECEIPT_TIMEOUT (the file goes to failed/) – since the same input would
 * take as long again; the process keeps running.
 */
export class CpuWork implements OnApplicationShutdown {
  private readonly pool: CpuPool;

  constructor(readonly settings: CpuWorkSettings) {
    this.pool = new CpuPool({ tasksModule: path.join(__dirname, 'cpu-work.tasks'), threads: settings.threads });
  }

  async renderFormPdf(input: FormPdfInput): Promise<Buffer> {
    return asBuffer(
      await this.run('renderFormPdf', input, this.settings.renderBudgetMs, () => renderTimeout('form', this.settings.renderBudgetMs)),
    );
  }

  async renderNotePdf(input: NotePdfInput): Promise<Buffer> {
    return asBuffer(
      await this.run('renderNotePdf', input, this.settings.renderBudgetMs, () => renderTimeout('note', this.settings.renderBudgetMs)),
    );
  }

  /** parseInbound (receipt.parser.ts) on a thread: the same answers and RECEIPT_* refusals. */
  parseInbound(bytes: Buffer): Promise<ParsedInbound> {
    const ms = this.settings.parseBudgetMs;
    return this.run('parseInbound', bytes, ms, () =>
      refuse('RECEIPT_TIMEOUT', `parsing took longer than ${ms} ms (MEDCOM_INBOX_PARSE_TIMEOUT_MS) and was stopped`),
    );
  }

  /** Threads running, busy, and tasks waiting. */
  stats(): { threads: number; busy: number; queued: number } {
    return this.pool.stats();
  }

  onApplicationShutdown(): Promise<void> {
    return this.pool.close();
  }

  private run<K extends CpuTaskName>(
    name: K,
    input: Parameters<(typeof CPU_TASKS)[K]>[0],
    budgetMs: number,
    timeoutError: () => Error,
  ): Promise<Awaited<ReturnType<(typeof CPU_TASKS)[K]>>> {
    return this.pool.run(name, input, { budgetMs, timeoutError, system: name === 'parseInbound' ? 'medcom' : 'pdf' });
  }
}

function renderTimeout(kind: string, ms: number): PermanentError {
  return new PermanentError(
    `rendering the ${kind} PDF took longer than ${ms} ms (PDF_RENDER_TIMEOUT_MS) and was stopped`,
    'RENDER_TIMEOUT',
    'pdf',
  );
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
