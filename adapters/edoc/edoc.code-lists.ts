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

/** The eDoc object group (GetItemList) behind each code list (itk-dev/edoc-api ItemListType). */
export const OBJECT_GROUPS: Record<CodeListName, string> = {
  documentTypes: 'DocumentType',
  documentStatuses: 'DocumentStatusCode',
  archiveFormats: 'ArchiveFormat',
};

/** A configured name that eDoc's own list does not confirm. Names and codes are configuration, never personal data. */
export interface CodeMismatch {
  list: CodeListName;
  name: string;
  configured: string;
  /** eDoc's code for the name; absent when eDoc has no entry of that name. */
  edoc?: string;
}

/** One entry of eDoc's list, reduced to its code and the names it may be known by. */
export interface RemoteCode {
  code: string;
  names: string[];
}

/**
 * Reads a GetItemList entry whatever its group's field names: the code is the `<Group>Id` /
 * `<Group>Code` field (DocumentTypeId, ArchiveFormatCode; else any field ending in Id or Code), the names
 * are every field ending in Name, plus FileExtension and Mimetype for archive formats (how public code
 * picks a format: rimi-itk/hoeringsportal-sync-files EdocService::getArchiveFormat).
 */
export function remoteCode(group: string, fields: Record<string, string>): RemoteCode | undefined {
  const keys = Object.keys(fields);
  const codeKey =
    keys.find((k) => k === `${group}Id` || k === `${group}Code`) ?? keys.find((k) => /(Id|Code)$/.test(k) && !/Name$/.test(k));
  if (!codeKey) return undefined;
  const names = keys.filter((k) => /Name$/.test(k) || /FileExtension$|Mimetype$/.test(k)).map((k) => fields[k]);
  return { code: fields[codeKey], names };
}

export class EdocCodeLists {
  private readonly byName: Record<CodeListName, Map<string, string>>;
  /** Names whose code eDoc contradicted at the last check (list + normalised name). */
  private mismatched = new Set<string>();
  private readonly original: Record<CodeListName, string[]>;

  constructor(lists: z.input<typeof codeListsSchema>) {
    const parsed = codeListsSchema.parse(lists);
    const index = (l: Record<string, string>) => new Map(Object.entries(l).map(([n, c]) => [normalise(n), c]));
    this.original = {
      documentTypes: Object.keys(parsed.documentTypes),
      documentStatuses: Object.keys(parsed.documentStatuses),
      archiveFormats: Object.keys(parsed.archiveFormats),
    };
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
      throw new PermanentError(
        `cannot read eDoc code lists ${file}: ${(err as Error).message.split('\n')[0]}`,
        'EDOC_CODE_LISTS_UNREADABLE',
        'edoc',
      );
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
      throw new PermanentError(
        `unknown eDoc ${LABEL[listName]} "${name.slice(0, 60)}": add it to the code-list file`,
        'EDOC_UNKNOWN_CODE',
        'edoc',
      );
    }
    if (this.mismatched.has(`${listName}:${normalise(name)}`)) {
      // eDoc's own list says otherwise: filing with a code known to be wrong would misfile the document.
      throw new PermanentError(
        `eDoc ${LABEL[listName]} "${name.slice(0, 60)}" has another code in eDoc (GetItemList): correct the code-list file`,
        'EDOC_CODE_MISMATCH',
        'edoc',
      );
    }
    return found;
  }

  /** Every configured name with its code, per list. */
  entries(listName: CodeListName): Array<{ name: string; code: string }> {
    return this.original[listName].map((name) => ({ name, code: this.byName[listName].get(normalise(name))! }));
  }

  /**
   * Compares the configured names with eDoc's own lists (GetItemList per object group) and remembers
   * the mismatches: a lookup of such a name fails (EDOC_CODE_MISMATCH) until a check finds it right.
   * A list eDoc did not deliver (undefined) is not judged.
   */
  verify(remote: Partial<Record<CodeListName, RemoteCode[]>>): CodeMismatch[] {
    const out: CodeMismatch[] = [];
    for (const listName of Object.keys(OBJECT_GROUPS) as CodeListName[]) {
      const entries = remote[listName];
      if (!entries) continue;
      for (const { name, code } of this.entries(listName)) {
        const hit = entries.find((e) => e.names.some((n) => normalise(n) === normalise(name)));
        if (!hit) out.push({ list: listName, name, configured: code });
        else if (hit.code !== code) out.push({ list: listName, name, configured: code, edoc: hit.code });
      }
    }
    this.mismatched = new Set(out.map((m) => `${m.list}:${normalise(m.name)}`));
    return out;
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
