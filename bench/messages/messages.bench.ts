import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { progress } from '../support/progress';

export interface MessageRate {
  name: string;
  n: number;
  perSecond: number;
}

/**
 * MedCom message throughput: the MedCom adapter's own benchmark (bench/medcom.bench.ts: XDIS91 built
 * and validated against our XSD, FHIR built and checked, receipts parsed, each with its build-only
 * baseline), run as it is in a child process and read from its JSON lines.
 */
export async function runMessages(letters: number): Promise<MessageRate[]> {
  const script = path.join(__dirname, '..', 'medcom.bench.js');
  const { stdout } = await promisify(execFile)(process.execPath, [script, String(letters)], { maxBuffer: 10 * 1024 * 1024 });
  const rows = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { bench?: string; name: string; n: number; perSecond: number })
    .filter((r) => r.bench === 'medcom')
    .map(({ name, n, perSecond }) => ({ name, n, perSecond }));
  if (!rows.length) throw new Error('bench/medcom.bench.js printed no results');
  progress(`messages: ${rows.length} measurements`);
  return rows;
}
