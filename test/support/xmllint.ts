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

/**
 * Collects every XDIS91 a test file produces and validates them all in one xmllint run against
 * MedCom's OFFICIAL schema (../shared/medcom/xsd/2006/07/01/EMessage.xsd). Prints why when skipped.
 */
export function officialXdis91Collector(officialXsd: string | null) {
  const produced: Buffer[] = [];
  return {
    add(bytes: Buffer): Buffer {
      produced.push(bytes);
      return bytes;
    },
    /** '' when every collected letter validates (or the check is skipped), else xmllint's complaints. */
    verify(): string {
      if (!officialXsd || !hasXmllint()) {
        console.log(
          `official-schema check of ${produced.length} XDIS91 letters skipped: ${officialXsd ? 'xmllint not installed' : '../shared/medcom not found'}`,
        );
        return '';
      }
      if (!produced.length) return '';
      const dir = mkdtempSync(path.join(os.tmpdir(), 'xmllint-many-'));
      const files = produced.map((b, i) => {
        const f = path.join(dir, `letter-${i}.xml`);
        writeFileSync(f, b);
        return f;
      });
      try {
        execFileSync('xmllint', ['--noout', '--nonet', '--schema', officialXsd, ...files], { stdio: 'pipe' });
        return '';
      } catch (err) {
        return String((err as { stderr?: Buffer }).stderr ?? err)
          .split('\n')
          .filter((l) => !l.endsWith(' validates'))
          .join('\n');
      }
    },
    get count(): number {
      return produced.length;
    },
  };
}
