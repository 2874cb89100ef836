import { readFileSync } from 'node:fs';
import { PermanentError } from '../../src/common/errors';
import type { Seed } from '../../schemas/sandbox-seed.schema';
import { GpDirectoryFile, gpDirectoryFileSchema } from '../../schemas/gp-directory.schema';
import type { GpDirectory, GpPractice } from './directory.port';

/**
 * The GP directory from a file: CPR → ydernummer → practice. Used with GP_DIRECTORY_FILE, and in the
 * sandbox from the seed (citizens' gp.ydernummer + its practices table). An unknown citizen or
 * practice is a permanent failure, never a guess: a letter to the wrong GP is a real harm.
 */
export class FileGpDirectory implements GpDirectory {
  private readonly practices: Map<string, GpPractice>;
  private readonly gpByCpr: Map<string, string>;

  /** `missingHint` explains an empty directory in every GP_UNKNOWN (e.g. which setting is missing). */
  constructor(
    data: GpDirectoryFile,
    private readonly missingHint = '',
  ) {
    this.practices = new Map(data.practices.map((p) => [p.ydernummer, { ...p }]));
    this.gpByCpr = new Map(Object.entries(data.gpByCpr));
  }

  static fromFile(file: string): FileGpDirectory {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new PermanentError(
        `cannot read GP directory file ${file}: ${(err as Error).message.split('\n')[0]}`,
        'GP_DIRECTORY_UNREADABLE',
      );
    }
    return new FileGpDirectory(parseDirectory(raw, `GP directory file ${file}`));
  }

  static fromSeed(seed: Seed): FileGpDirectory {
    return new FileGpDirectory(parseDirectory(gpDirectoryFromSeed(seed), 'sandbox seed practices'));
  }

  async practiceFor(cpr: string): Promise<GpPractice> {
    const ydernummer = this.gpByCpr.get(cpr);
    if (!ydernummer) {
      throw new PermanentError(
        `no GP is registered for the citizen in the GP directory${this.missingHint ? ` (${this.missingHint})` : ''}`,
        'GP_UNKNOWN',
        'directory',
      );
    }
    return this.practice(ydernummer);
  }

  /** The practice with this ydernummer (the seed's citizens carry it directly). */
  practice(ydernummer: string): GpPractice {
    const practice = this.practices.get(ydernummer);
    if (!practice) {
      throw new PermanentError(`GP practice with ydernummer ${ydernummer} is not in the GP directory`, 'GP_UNKNOWN', 'directory');
    }
    return { ...practice, formats: [...practice.formats] };
  }
}

function parseDirectory(raw: unknown, what: string): GpDirectoryFile {
  const parsed = gpDirectoryFileSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    // The path may contain a CPR (gpByCpr keys): name the section only.
    const where = i.path[0] === 'gpByCpr' ? 'gpByCpr' : i.path.join('.');
    throw new PermanentError(`invalid ${what}: ${where}: ${i.message}`, 'GP_DIRECTORY_INVALID');
  }
  return parsed.data;
}

/** The directory a sandbox seed implies, in GP_DIRECTORY_FILE format (the standalone sandbox writes it for its clients). */
export function gpDirectoryFromSeed(seed: Seed): GpDirectoryFile {
  const gpByCpr: Record<string, string> = {};
  for (const c of seed.citizens) if (c.gp) gpByCpr[c.cpr] = c.gp.ydernummer;
  return { practices: seed.practices ?? [], gpByCpr };
}
