import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (where package.json is), whether running from sources or from dist/. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

/** A data file shipped with the sources (JSON seeds, XSD): tsc does not copy those into dist/. */
export function shippedFile(...segments: string[]): string {
  return path.join(projectRoot(), ...segments);
}
