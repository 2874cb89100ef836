import type { GpMessageFormat, FhirFormat } from '../../../src/domain/gp-message-formats';
import { randomUUID } from 'node:crypto';
import { FSWatcher, watch } from 'node:fs';
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { IntegrationError } from '../../../src/common/errors';
import { shippedFile } from '../../../src/infra/project-root';
import { rootLogger } from '../../../src/logging/logger';
import { checkCareCommunication } from '../fhir/carecommunication.check';
import { FhirNode, fromFhirJson, fromFhirXml, nodes, resolveReference, str } from '../fhir/fhir-model';
import { FHIR_NS, IDENTIFIER_SYSTEM } from '../fhir/medcom-fhir.constants';
import { ACKNOWLEDGEMENT_ENVELOPE_VERSION, buildVansEnvelope, unwrapVansEnvelope, VANS_ENVELOPE_ROOT } from '../fhir/vans-envelope';
import { shortId, uuidFrom } from '../letter-ids';
import { fileStamp } from '../text/medcom-time';
import { writeAtomically } from '../transport/file-drop.transport';
import { XDIS91_NAMESPACE } from '../xdis91.builder';
import { child, parseXmlBytes, textOf, XmlElement } from '../xml/safe-xml';
import { schemaValidator } from '../xml/schema-validator';
import { seededRandom } from '../../shared/seeded-random';
import { buildFhirAcknowledgement, buildOioReceipt, OioReceiptType } from './receipts.builder';

/**
 * A stand-in for the VANS network and the GP systems behind it, speaking the file-drop protocol:
 * it picks up every message from the out-folder (archiving it), validates it (XDIS91 against
 * schemas/xdis91.xsd, FHIR against the CareCommunication rules) and, after a delay, writes a
 * positive or negative receipt – OIOXML XCTL03/XCTL02/XCTL01 or a FHIR Acknowledgement – atomically
 * into the in-folder. Fault knobs (drop, delay, negative, duplicate, garbage) draw from a seeded PRNG,
 * so a run is reproducible. Invalid messages always get a negative receipt.
 */
export interface VansFaults {
  delayMs: number;
  /** Share of messages whose receipt is never sent. */
  dropRate: number;
  /** Share answered with a negative receipt from the receiver (XCTL02 / fatal-error). */
  negativeRate: number;
  /** Share answered with a negative VANS receipt (XCTL01 unknown location number). */
  vansNegativeRate: number;
  /** Share whose receipt is delivered twice. */
  duplicateRate: number;
  /** Share that also produces a garbage file in the in-folder. */
  garbageRate: number;
}

export interface VansStats {
  messagesReceived: number;
  invalidMessages: number;
  /** Files that could not be read far enough to answer. */
  unanswerable: number;
  distinctLetters: number;
  /** Envelopes seen per letter id: 1 = sent once, 3 = two resends. */
  envelopesPerLetter: Record<string, number>;
  receiptsSent: number;
  positiveReceipts: number;
  negativeReceipts: number;
  receiptsDropped: number;
  receiptsDuplicated: number;
  garbageFiles: number;
  /** Receipts waiting for their delay. */
  pending: number;
}

export interface VansSandboxOptions {
  outDir: string;
  inDir: string;
  /** Where picked-up messages are kept (default: <outDir>/../vans-sandbox/received). */
  archiveDir?: string;
  faults?: Partial<VansFaults>;
  seed?: number;
  /** Out-folder scan interval besides fs.watch. */
  pollMs?: number;
  /** Like a VANS setup that needs it: a FHIR letter not in a VANSEnvelope is refused (fatal-error). */
  requireFhirEnvelope?: boolean;
}

interface Analysed {
  format: GpMessageFormat;
  envelopeId: string;
  letterId: string;
  from: { ean: string; sor: string; name: string };
  to: { ean: string; sor: string; name: string };
  problems: string[];
  /** It came in a VANSEnvelope: its acknowledgement goes back in one. */
  enveloped?: boolean;
}

const NO_FAULTS: VansFaults = { delayMs: 0, dropRate: 0, negativeRate: 0, vansNegativeRate: 0, duplicateRate: 0, garbageRate: 0 };

export class VansSandbox {
  private readonly log: Logger = rootLogger().child({ component: 'vans-sandbox' });
  private readonly random: () => number;
  private readonly archiveDir: string;
  private readonly letterValidator = schemaValidator(shippedFile('schemas', 'xdis91.xsd'));
  private readonly receiptValidator = schemaValidator(shippedFile('schemas', 'medcom-receipt.xsd'));
  private current: VansFaults;
  private counters = emptyStats();
  private readonly envelopes = new Map<string, Set<string>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly writes = new Set<Promise<void>>();
  private watcher?: FSWatcher;
  private poller?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private scanQueued = false;
  private stopped = false;

  constructor(private readonly opts: VansSandboxOptions) {
    this.random = seededRandom(opts.seed ?? 42);
    this.archiveDir = opts.archiveDir ?? path.join(path.dirname(opts.outDir), 'vans-sandbox', 'received');
    this.current = validFaults({ ...NO_FAULTS, ...opts.faults });
  }

  async start(): Promise<void> {
    await Promise.all([this.opts.outDir, this.opts.inDir, this.archiveDir].map((d) => mkdir(d, { recursive: true })));
    try {
      this.watcher = watch(this.opts.outDir, () => this.scanSoon());
      this.watcher.on('error', () => undefined); // the poll below still runs
    } catch {
      this.watcher = undefined; // file systems without notifications: poll only
    }
    this.poller = setInterval(() => this.scanSoon(), this.opts.pollMs ?? 200);
    this.poller.unref();
    this.scanSoon();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    if (this.poller) clearInterval(this.poller);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.chain;
    await Promise.all([...this.writes]);
  }

  faults(): VansFaults {
    return { ...this.current };
  }

  setFaults(patch: Partial<VansFaults>): VansFaults {
    this.current = validFaults({ ...this.current, ...patch });
    return this.faults();
  }

  stats(): VansStats {
    const envelopesPerLetter = Object.fromEntries([...this.envelopes].map(([id, envs]) => [id, envs.size]));
    return { ...this.counters, distinctLetters: this.envelopes.size, envelopesPerLetter, pending: this.timers.size };
  }

  resetStats(): void {
    this.counters = emptyStats();
    this.envelopes.clear();
  }

  /** Where picked-up messages are archived (tests check them against MedCom's schemas). */
  receivedDir(): string {
    return this.archiveDir;
  }

  private scanSoon(): void {
    if (this.stopped || this.scanQueued) return;
    this.scanQueued = true;
    this.chain = this.chain.then(async () => {
      this.scanQueued = false;
      await this.scan().catch((err) => this.log.warn({ code: (err as NodeJS.ErrnoException).code }, 'VANS sandbox scan failed'));
    });
  }

  private async scan(): Promise<void> {
    const names = (await readdir(this.opts.outDir)).filter((n) => !n.startsWith('.') && /\.(xml|json)$/i.test(n)).sort();
    for (const name of names) {
      if (this.stopped) return;
      const archived = path.join(this.archiveDir, name);
      let bytes: Buffer;
      try {
        bytes = await readFile(path.join(this.opts.outDir, name));
        await rename(path.join(this.opts.outDir, name), archived); // VANS has picked it up
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      await this.answer(bytes);
    }
  }

  private async answer(bytes: Buffer): Promise<void> {
    this.counters.messagesReceived++;
    // Draw every decision up front, so one message always consumes the same amount of randomness.
    const [drop, vansNegative, negative, duplicate, garbage, garbageKind] = Array.from({ length: 6 }, () => this.random());
    const msg = await this.analyse(bytes);
    if (garbage < this.current.garbageRate)
      this.writeLater(garbageFile(garbageKind, msg), this.current.delayMs, () => this.counters.garbageFiles++);
    if (!msg) {
      this.counters.unanswerable++;
      return;
    }
    const seen = this.envelopes.get(msg.letterId) ?? new Set<string>();
    seen.add(msg.envelopeId);
    this.envelopes.set(msg.letterId, seen);

    let verdict: { type: OioReceiptType; code?: string; text?: string };
    if (msg.problems.length) {
      this.counters.invalidMessages++;
      verdict = { type: 'XCTL02', code: 'syntaksfejl', text: `The message could not be processed: ${msg.problems[0]}` };
    } else if (drop < this.current.dropRate) {
      this.counters.receiptsDropped++;
      return;
    } else if (vansNegative < this.current.vansNegativeRate) {
      verdict = { type: 'XCTL01', code: 'ukendt_lokationsnummer', text: `Unknown location number ${msg.to.ean}` };
    } else if (negative < this.current.negativeRate) {
      verdict = { type: 'XCTL02', code: 'ikke_specificeret', text: 'The receiver refused the letter (sandbox fault)' };
    } else verdict = { type: 'XCTL03' };

    const receipt = await this.receipt(msg, verdict);
    const count = () => {
      this.counters.receiptsSent++;
      if (verdict.type === 'XCTL03') this.counters.positiveReceipts++;
      else this.counters.negativeReceipts++;
    };
    this.writeLater(receipt, this.current.delayMs, count);
    if (duplicate < this.current.duplicateRate) {
      this.writeLater(receipt, this.current.delayMs, () => this.counters.receiptsDuplicated++);
    }
  }

  private async analyse(bytes: Buffer): Promise<Analysed | null> {
    try {
      const text = bytes.toString('latin1').trimStart();
      if (text.startsWith('{')) return this.requireEnvelope(fhirAnalysis(fromFhirJson(JSON.parse(bytes.toString('utf8'))), 'fhir-json'));
      const root = parseXmlBytes(bytes);
      if (root.name === VANS_ENVELOPE_ROOT && root.ns === '') {
        // Unwrapped as VANS does; the letter inside must be what the envelope says it is.
        const inner = unwrapVansEnvelope(root);
        const msg =
          inner.format === 'fhir-json'
            ? fhirAnalysis(fromFhirJson(JSON.parse(inner.data.toString('utf8'))), 'fhir-json')
            : fhirAnalysis(fromFhirXml(parseXmlBytes(inner.data)), 'fhir-xml');
        if (!msg) return null;
        const problems = [...msg.problems];
        if (inner.envelopeId !== msg.envelopeId) problems.push(`VANSEnvelope EnvelopeIdentifier ${inner.envelopeId} is not the Bundle.id`);
        if (inner.messageId !== msg.letterId)
          problems.push(`VANSEnvelope MetaInformation/Identifier ${inner.messageId} is not the MessageHeader.id`);
        if (!/^MCM:FDIS91#[a-z-]+$/.test(inner.name))
          problems.push(`VANSEnvelope Document/Name ${inner.name} is not MCM:FDIS91#<category>`);
        return { ...msg, problems, enveloped: true };
      }
      if (root.ns === FHIR_NS) return this.requireEnvelope(fhirAnalysis(fromFhirXml(root), 'fhir-xml'));
      if (root.name !== 'Emessage' || root.ns !== XDIS91_NAMESPACE) return null;
      return { ...xdis91Analysis(root), problems: await this.letterValidator.validate(bytes) };
    } catch (err) {
      if (err instanceof IntegrationError || err instanceof SyntaxError) return null;
      throw err;
    }
  }

  /** A bare FHIR letter where the VANS setup needs a VANSEnvelope: refused. */
  private requireEnvelope(msg: Analysed | null): Analysed | null {
    if (!msg || !this.opts.requireFhirEnvelope) return msg;
    return { ...msg, problems: ['the FHIR message is not in a VANSEnvelope (this VANS setup requires one)', ...msg.problems] };
  }

  private async receipt(
    msg: Analysed,
    verdict: { type: OioReceiptType; code?: string; text?: string },
  ): Promise<{ bytes: Buffer; ext: string }> {
    const sentAt = new Date();
    if (msg.format === 'xdis91') {
      const bytes = buildOioReceipt({
        type: verdict.type,
        envelopeId: shortId('K', `receipt|${msg.envelopeId}`),
        letterId: shortId('Q', `receipt|${msg.envelopeId}`),
        sentAt,
        senderEan: msg.to.ean,
        receiverEan: msg.from.ean,
        originalEnvelopeId: msg.envelopeId,
        letters: [{ letterId: msg.letterId, versionCode: 'XD9134L' }],
        refuseCode: verdict.code,
        refuseText: verdict.text,
      });
      const problems = await this.receiptValidator.validate(bytes);
      if (problems.length) throw new Error(`VANS sandbox built an invalid receipt: ${problems[0]}`);
      return { bytes, ext: 'xml' };
    }
    const bundleId = uuidFrom(`ack|${msg.envelopeId}`);
    const headerId = uuidFrom(`ack-header|${msg.envelopeId}`);
    const code = verdict.type === 'XCTL03' ? 'ok' : 'fatal-error';
    const bytes = buildFhirAcknowledgement({
      bundleId,
      headerId,
      sentAt,
      acknowledgedHeaderId: msg.letterId,
      code,
      from: msg.to,
      to: msg.from,
      issueText: verdict.text,
      format: msg.format,
    });
    if (msg.enveloped) {
      const wrapped = buildVansEnvelope({
        envelopeId: bundleId,
        messageId: headerId,
        name: `MCM:FCTL#${code}`,
        version: ACKNOWLEDGEMENT_ENVELOPE_VERSION,
        format: msg.format,
        data: bytes,
      });
      return { bytes: wrapped, ext: 'xml' };
    }
    return { bytes, ext: msg.format === 'fhir-json' ? 'json' : 'xml' };
  }

  private writeLater(file: { bytes: Buffer; ext: string }, delayMs: number, onWritten: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // File names take no randomness from the seeded PRNG, so fault decisions replay exactly.
      const name = `${randomUUID()}_${fileStamp(new Date())}.${file.ext}`;
      const write = writeAtomically(path.join(this.opts.inDir, name), file.bytes)
        .then(onWritten, (err) => this.log.warn({ code: (err as NodeJS.ErrnoException).code }, 'VANS sandbox could not write a receipt'))
        .finally(() => this.writes.delete(write));
      this.writes.add(write);
    }, delayMs);
    this.timers.add(timer);
  }
}

function xdis91Analysis(root: XmlElement): Omit<Analysed, 'problems'> {
  const letter = child(root, 'ClinicalEmail');
  const party = (name: string) => ({
    ean: textOf(child(child(letter, name), 'EANIdentifier')),
    sor: '',
    name: textOf(child(child(letter, name), 'OrganisationName')),
  });
  return {
    format: 'xdis91',
    envelopeId: textOf(child(child(root, 'Envelope'), 'Identifier')),
    letterId: textOf(child(child(letter, 'Letter'), 'Identifier')),
    from: party('Sender'),
    to: party('Receiver'),
  };
}

function fhirAnalysis(bundle: FhirNode, format: FhirFormat): Analysed | null {
  const header = nodes(bundle, 'entry.resource')[0];
  if (!header || !str(bundle, 'id') || !str(header, 'id')) return null;
  const party = (reference: string) => {
    const org = resolveReference(bundle, reference);
    const id = (system: string) =>
      str(
        nodes(org, 'identifier').find((i) => str(i, 'system') === system),
        'value',
      );
    return { ean: id(IDENTIFIER_SYSTEM.gln), sor: id(IDENTIFIER_SYSTEM.sor), name: str(org, 'name') || 'unknown' };
  };
  return {
    format,
    envelopeId: str(bundle, 'id'),
    letterId: str(header, 'id'),
    from: party(str(header, 'sender.reference')),
    to: party(str(header, 'destination.receiver.reference')),
    problems: checkCareCommunication(bundle),
  };
}

/** Broken files of the kinds that reach real in-folders: truncated, binary, hostile, foreign. */
function garbageFile(pick: number, msg: Analysed | null): { bytes: Buffer; ext: string } {
  const kinds = [
    () =>
      Buffer.from(
        `<?xml version="1.0" encoding="ISO-8859-1"?>\n<Emessage xmlns="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/"><Envelope><Sent><Date>20`,
        'latin1',
      ),
    () => Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) % 256)),
    () => Buffer.from('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><r>&b;</r>'),
    () =>
      Buffer.from(
        `<Emessage xmlns="urn:example:not-medcom"><Envelope><Identifier>${msg?.envelopeId ?? 'X'}</Identifier></Envelope></Emessage>`,
      ),
    () => Buffer.from('{"resourceType": "Bundle", "type": "message", "entry": [ '),
  ];
  const i = Math.min(kinds.length - 1, Math.floor(pick * kinds.length));
  return { bytes: kinds[i](), ext: i === kinds.length - 1 ? 'json' : 'xml' };
}

function emptyStats(): Omit<VansStats, 'distinctLetters' | 'envelopesPerLetter' | 'pending'> {
  return {
    messagesReceived: 0,
    invalidMessages: 0,
    unanswerable: 0,
    receiptsSent: 0,
    positiveReceipts: 0,
    negativeReceipts: 0,
    receiptsDropped: 0,
    receiptsDuplicated: 0,
    garbageFiles: 0,
  };
}

export function validFaults(f: VansFaults): VansFaults {
  for (const [k, v] of Object.entries(f)) {
    if (!(k in NO_FAULTS)) throw new RangeError(`unknown fault ${k}; known: ${Object.keys(NO_FAULTS).join(', ')}`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (k !== 'delayMs' && v > 1)) {
      throw new RangeError(`fault ${k} must be ${k === 'delayMs' ? 'a number of milliseconds ≥ 0' : 'a rate between 0 and 1'}`);
    }
  }
  return f;
}
