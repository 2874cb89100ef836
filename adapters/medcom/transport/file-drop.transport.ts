import { createHash, randomUUID } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { mkdir, open, readdir, rename, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RetryableError } from '../../../src/common/errors';
import { uuidFrom } from '../letter-ids';
import { fileStamp } from '../text/medcom-time';
import { MAX_INBOUND_BYTES } from '../xml/safe-xml';
import type { InboundDisposition, InboundItem, MedcomTransport, OutboundMessage } from './medcom.transport';

/**
 * The VANS client's file drop. Outgoing: `<uuid>_<timestamp>.<xml|json>` written to a hidden
 * temporary name in the out-folder, flushed to disk and renamed, so the VANS client never sees half
 * a file. Incoming: files in the in-folder are claimed by an atomic rename into `.processing/`
 * (one worker wins), and settled into `processed/`, `failed/` (with a `.reason.txt`) or `unmatched/`.
 * Nothing is deleted. A claim left behind by a crashed worker is taken again after `reclaimAfterMs`.
 *
 * Names are kept as they are only up to MAX_NAME_BYTES: settling adds `.N` and `.reason.txt`, and a
 * name near the file system's 255-byte limit made that fail (ENAMETOOLONG) and stopped the whole
 * poll. A longer name is claimed under a generated one (`name-too-long-<hash>.<ext>`), which the
 * inbox refuses unread (RECEIPT_FILE_NAME) – the original name, which may carry a CPR number, is
 * written nowhere.
 */
const MAX_NAME_BYTES = 200;
const LONG_NAME_PREFIX = 'name-too-long-';
export class FileDropTransport implements MedcomTransport {
  private readonly processingDir: string;

  constructor(
    private readonly outDir: string,
    private readonly inDir: string,
    private readonly reclaimAfterMs = 120_000,
  ) {
    this.processingDir = path.join(inDir, '.processing');
  }

  async send(message: OutboundMessage): Promise<{ name: string }> {
    const name = `${uuidFrom(`file|${message.envelopeId}`)}_${fileStamp(message.sentAt)}.${message.extension}`;
    try {
      await mkdir(this.outDir, { recursive: true });
      await writeAtomically(path.join(this.outDir, name), message.bytes);
    } catch (err) {
      throw new RetryableError(
        `cannot write to the VANS out-folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        'MEDCOM_OUTBOX_IO',
        'medcom',
      );
    }
    return { name };
  }

  /** The file is still in the out-folder: the VANS client has not taken it yet (it moves or deletes what it sends). */
  async awaitingPickup(name: string): Promise<boolean> {
    if (name !== path.basename(name) || name.startsWith('.')) return false;
    try {
      await stat(path.join(this.outDir, name));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new RetryableError(
        `cannot read the VANS out-folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        'MEDCOM_OUTBOX_IO',
        'medcom',
      );
    }
  }

  async claimIncoming(limit: number): Promise<InboundItem[]> {
    await mkdir(this.processingDir, { recursive: true });
    const claimed: InboundItem[] = [];
    for (const name of await this.staleClaims()) {
      if (claimed.length >= limit) return claimed;
      // A long-named claim left by a version that could not settle it: give it its safe name first.
      const id = Buffer.byteLength(name) > MAX_NAME_BYTES ? safeNameFor(name) : name;
      const file = path.join(this.processingDir, id);
      if (id !== name) {
        try {
          await rename(path.join(this.processingDir, name), file);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // another worker took it over
          throw err;
        }
      }
      await utimes(file, new Date(), new Date()).catch(() => undefined);
      claimed.push(inboundItem(id, await readCapped(file), id !== name ? Buffer.byteLength(name) : undefined));
    }
    const names = (await readdir(this.inDir, { withFileTypes: true }))
      .filter((d) => d.isFile() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
    for (const name of names) {
      if (claimed.length >= limit) break;
      const id = Buffer.byteLength(name) > MAX_NAME_BYTES ? safeNameFor(name) : name;
      const target = path.join(this.processingDir, id);
      try {
        await rename(path.join(this.inDir, name), target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // another worker claimed it
        throw err;
      }
      await utimes(target, new Date(), new Date()).catch(() => undefined);
      claimed.push(inboundItem(id, await readCapped(target), Buffer.byteLength(name)));
    }
    return claimed;
  }

  async settle(item: InboundItem, disposition: InboundDisposition, reason?: string): Promise<void> {
    const dir = path.join(this.inDir, disposition);
    await mkdir(dir, { recursive: true });
    const target = await freeName(dir, item.id);
    try {
      await rename(path.join(this.processingDir, item.id), target);
    } catch (err) {
      // A slow claim was taken over and already settled by another worker: nothing left to file.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    if (reason) {
      // Written aside and renamed into place: whoever sees the reason file sees all of it (a reader
      // that found it mid-write read it empty: a loaded-run flake of the receipt corpus).
      await writeFile(`${target}.reason.tmp`, `${reason}\n`);
      await rename(`${target}.reason.tmp`, `${target}.reason.txt`);
    }
  }

  private async staleClaims(): Promise<string[]> {
    const out: string[] = [];
    for (const name of (await readdir(this.processingDir)).sort()) {
      const s = await stat(path.join(this.processingDir, name)).catch(() => null);
      if (s?.isFile() && Date.now() - s.mtimeMs > this.reclaimAfterMs) out.push(name);
    }
    return out;
  }
}

/** A short, stable stand-in for an over-long name: the same file claimed twice gets the same one. */
function safeNameFor(name: string): string {
  const ext = /\.[A-Za-z0-9]{1,5}$/.exec(name)?.[0] ?? '';
  return `${LONG_NAME_PREFIX}${createHash('sha256').update(name).digest('hex').slice(0, 16)}${ext}`;
}

function inboundItem(id: string, bytes: Buffer, originalNameBytes?: number): InboundItem {
  if (!id.startsWith(LONG_NAME_PREFIX)) return { id, bytes };
  const was = originalNameBytes ? ` of ${originalNameBytes} bytes` : '';
  return {
    id,
    bytes,
    refused: {
      code: 'RECEIPT_FILE_NAME',
      message: `the file's name${was} is longer than ${MAX_NAME_BYTES} bytes: set aside unread under this generated name`,
    },
  };
}

/** Temporary hidden name in the same folder, fsync, then rename over the final name. */
export async function writeAtomically(file: string, bytes: Buffer): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID().slice(0, 8)}.partial`);
  const handle = await open(tmp, fsc.O_CREAT | fsc.O_WRONLY | fsc.O_TRUNC, 0o640);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

/** Reads at most MAX_INBOUND_BYTES + 1 bytes, so an oversized file is recognised without loading it. */
async function readCapped(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(Math.min(size, MAX_INBOUND_BYTES + 1));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function freeName(dir: string, name: string): Promise<string> {
  for (let i = 0; ; i++) {
    const candidate = path.join(dir, i ? `${name}.${i}` : name);
    if (!(await stat(candidate).catch(() => null))) return candidate;
  }
}
