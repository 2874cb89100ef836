import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Whether the xmllint command (Debian package libxml2-utils) is on the PATH. */
export function hasXmllint(): boolean {
  return spawnSync('xmllint', ['--version']).status === 0;
}

/** Validates bytes with `xmllint --noout --schema`; returns xmllint's complaint, or '' when valid. */
export function xmllintSchema(xsd: string, bytes: Buffer, name = 'message.xml'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xmllint-'));
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', xsd, file], { stdio: 'pipe' });
    return '';
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err);
  }
}
