import { Command } from 'commander';
import { FileGpDirectory } from '../../adapters/directory/file-gp-directory';
import { GP_MESSAGE_FORMATS, GpMessageFormat } from '../domain/gp-message-formats';
import { envelopeIdFor, letterIdFor } from '../../adapters/medcom/letter-identity';
import { medcomBootProblem } from '../../adapters/medcom/medcom.boot-guard';
import { chooseFormat } from '../../adapters/medcom/format-choice';
import { PermanentError } from '../common/errors';
import { medcomSettings } from '../../adapters/medcom/medcom.settings';
import { messageComposer } from '../../adapters/medcom/message.composer';
import { loadSeed } from '../../adapters/shared/sandbox-seed';
import { ConfigError, loadConfig } from '../config/load-config';
import { letterIdempotencyKey, meetingDateOf } from '../domain/after-meeting.rules';
import { noteToGpLetterContent } from '../domain/gp-letter.content';

export interface MedcomPreviewOptions {
  seed: string;
  note: string;
  format?: string;
}

export interface PreviewIo {
  stdout: (bytes: Buffer) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: PreviewIo = { stdout: (b) => process.stdout.write(b), stderr: (s) => process.stderr.write(s), env: process.env };

class UsageError extends Error {}

/**
 * `tsm-bridge medcom preview --seed FILE --note NOTE_ID [--format xdis91|fhir-xml|fhir-json]`:
 * the exact bytes that would be sent for the note (XDIS91 as ISO-8859-1), built by the same content
 * mapping, builders and checks as the service, for note version 1 of the seed. The output holds
 * personal data, so it goes to stdout only and nothing is logged. Exit 0 ok, 2 bad arguments, 1 failure.
 */
export async function runMedcomPreview(o: MedcomPreviewOptions, io: PreviewIo = processIo): Promise<number> {
  try {
    if (o.format !== undefined && !(GP_MESSAGE_FORMATS as readonly string[]).includes(o.format))
      throw new UsageError(`--format must be one of ${GP_MESSAGE_FORMATS.join(', ')} (got ${o.format})`);
    if (!/^\d{1,12}$/.test(o.note)) throw new UsageError(`--note must be a note id (got ${o.note})`);
    const config = loadConfig(io.env);
    const problem = medcomBootProblem(config);
    if (problem) throw new ConfigError(problem);
    const seed = loadSeed(o.seed);
    const noteId = Number(o.note);
    const citizen = seed.citizens.find((c) => c.notes.some((n) => n.id === noteId));
    if (!citizen) throw new UsageError(`note ${noteId} is not in the seed file`);
    const note = citizen.notes.find((n) => n.id === noteId)!;

    const directory = config.GP_DIRECTORY_FILE ? FileGpDirectory.fromFile(config.GP_DIRECTORY_FILE) : FileGpDirectory.fromSeed(seed);
    const receiver = await directory.practiceFor(citizen.cpr);
    const patient = { cpr: citizen.cpr, givenName: citizen.firstName, surname: citizen.lastName };
    // As the service chooses: a name XDIS91 cannot carry goes as FHIR, or is refused (NAME_NOT_REPRESENTABLE).
    const format = (o.format as GpMessageFormat | undefined) ?? chooseFormat(receiver, patient);
    const content = noteToGpLetterContent(note, citizen, meetingDateOf(note.observationTimestamp), {
      omitLabels: config.GP_LETTER_EXCLUDED_ITEMS,
    });
    const settings = medcomSettings(config);
    const letterId = letterIdFor(settings.letterIds(), letterIdempotencyKey({ noteId, noteVersion: 1 }, receiver.ydernummer), format);
    const now = new Date();
    const message = await messageComposer(settings).compose(format, {
      letterId,
      envelopeId: envelopeIdFor(letterId, 0, format),
      attempt: 0,
      sentAt: now,
      authorisedAt: now,
      sender: settings.sender,
      author: settings.author,
      receiver,
      patient,
      ...content,
    });
    io.stdout(message.bytes);
    return 0;
  } catch (err) {
    const usage = err instanceof UsageError || err instanceof ConfigError;
    const code = err instanceof PermanentError ? `[${err.code}] ` : '';
    io.stderr(`${usage ? '' : 'error: '}${code}${err instanceof Error ? err.message : String(err)}\n`);
    return usage ? 2 : 1;
  }
}

export function medcomCommand(): Command {
  const medcom = new Command('medcom').description('MedCom letters to GPs');
  medcom
    .command('preview')
    .description('write the exact message that would be sent for a seed note to stdout (contains personal data)')
    .requiredOption('--seed <file>', 'sandbox seed file with citizens, notes and GP practices')
    .requiredOption('--note <id>', 'the note to send')
    .option('--format <format>', `${GP_MESSAGE_FORMATS.join(' | ')} (default: the GP practice's preferred format)`)
    .action(async (o: MedcomPreviewOptions) => {
      process.exitCode = await runMedcomPreview(o);
    });
  return medcom;
}
