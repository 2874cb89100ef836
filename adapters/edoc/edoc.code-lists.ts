import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PermanentError } from '../../src/common/errors';
import { shippedFile } from '../../src/infra/project-root';

/**
 * eDoc's code lists (document types, document statuses, archive formats) differ per installation, so
 * they come from a JSON file mapping the names people use to the installation's codes. Workflows ask
 * for names ("Notat", "Endelig", "PDF"); only this file knows the numbers.
 */
export const DEFAULT_CODE_LISTS_FILE = shippedFile('adapters', 'edoc', 'edoc.code-lists.json');

const code = z.union([z.string().regex(/^\d{1,10}$/, 'digits'), z.number().int().nonnegative()]).transform(String);
const list = z.record(z.string().min(1), code);
const codeListsSchema = z.object({
  documentTypes: list,
  documentStatuses: list,
  archiveFormats: list,
});

export type CodeListName = keyof z.infer<typeof codeListsSchema>;

const LABEL: Record<CodeListName, string> = {
  documentTypes: 'document type',
  documentStatuses: 'document status',
  archiveFormats: 'archive format',
};

function normalise(name: string): string {
  return name.normalize('NFC').trim().toLocaleLowerCase('da-DK');
}

export class EdocCodeLists {
  private readonly byName: Record<CodeListName, Map<string, string>>;

  constructor(lists: z.input<typeof codeListsSchema>) {
    const parsed = codeListsSchema.parse(lists);
    const index = (l: Record<string, string>) => new Map(Object.entries(l).map(([n, c]) => [normalise(n), c]));
    this.byName = {
      documentTypes: index(parsed.documentTypes),
      documentStatuses: index(parsed.documentStatuses),
      archiveFormats: index(parsed.archiveFormats),
    };
  }

  /** Reads and validates a code-list file; a bad file is a clear error naming the first wrong field. */
  static load(file: string = DEFAULT_CODE_LISTS_FILE): EdocCodeLists {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new PermanentError(`cannot read eDoc code lists ${file}: ${(err as Error).message.split('\n')[0]}`, 'EDOC_CODE_LISTS_UNREADABLE', 'edoc');
    }
    const parsed = codeListsSchema.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new PermanentError(`invalid eDoc code lists ${file}: ${i.path.join('.')}: ${i.message}`, 'EDOC_CODE_LISTS_INVALID', 'edoc');
    }
    return new EdocCodeLists(parsed.data);
  }

  /** The code for a name (case-insensitive); an unknown name can never succeed, so it is permanent. */
  lookup(listName: CodeListName, name: string): string {
    const found = this.byName[listName].get(normalise(name));
    if (found === undefined) {
      // Code-list names are configuration, not personal data, so the name may be shown.
      throw new PermanentError(`unknown eDoc ${LABEL[listName]} "${name.slice(0, 60)}": add it to the code-list file`, 'EDOC_UNKNOWN_CODE', 'edoc');
    }
    return found;
  }

  documentType(name: string): string {
    return this.lookup('documentTypes', name);
  }

  documentStatus(name: string): string {
    return this.lookup('documentStatuses', name);
  }

  archiveFormat(name: string): string {
    return this.lookup('archiveFormats', name);
  }

  /** Every code of a list (the sandbox accepts exactly these). */
  codes(listName: CodeListName): Set<string> {
    return new Set(this.byName[listName].values());
  }
}
