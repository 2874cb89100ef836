import { readFileSync } from 'node:fs';
import path from 'node:path';
import { maskCpr } from '../../../src/logging/redact';

/** XSD validation of an XML document given as the exact bytes that would be sent. */
export interface SchemaValidator {
  readonly engine: 'libxmljs2' | 'xmllint-wasm';
  /** Problems found, as personal-data-free lines; empty when the document is valid. */
  validate(xml: Buffer): Promise<string[]>;
}

type Libxml = typeof import('libxmljs2');
type LibxmlDocument = ReturnType<Libxml['parseXml']>;

/**
 * libxmljs2 (native libxml2): the schema document is parsed once and kept; each call parses only
 * the message. The bytes go in as they are, so libxml2 decodes them by their own XML declaration,
 * exactly as a receiver would. Never resolves external entities or DTDs (libxml2 defaults).
 */
export class LibxmlSchemaValidator implements SchemaValidator {
  readonly engine = 'libxmljs2' as const;
  private readonly schema: LibxmlDocument;

  constructor(
    private readonly lib: Libxml,
    xsdPath: string,
  ) {
    this.schema = lib.parseXml(readFileSync(xsdPath, 'utf8'), { baseUrl: `${path.dirname(xsdPath)}/` });
  }

  async validate(xml: Buffer): Promise<string[]> {
    let doc: LibxmlDocument;
    try {
      doc = this.lib.parseXml(xml as unknown as string, { nonet: true });
    } catch (err) {
      return [`not well-formed XML: ${redactValidationMessage(firstLine(err))}`];
    }
    if (doc.validate(this.schema)) return [];
    return doc.validationErrors.map((e) => describe(e.line, e.message));
  }
}

/**
 * The WebAssembly build of xmllint: no native module needed, but each call starts a worker, so it
 * is the fallback when libxmljs2 cannot load on a platform.
 */
export class WasmSchemaValidator implements SchemaValidator {
  readonly engine = 'xmllint-wasm' as const;
  private readonly schemaText: string;

  constructor(xsdPath: string) {
    this.schemaText = readFileSync(xsdPath, 'utf8');
  }

  async validate(xml: Buffer): Promise<string[]> {
    const { validateXML } = await import('xmllint-wasm');
    const result = await validateXML({
      xml: { fileName: 'message.xml', contents: new Uint8Array(xml) },
      schema: { fileName: 'schema.xsd', contents: this.schemaText },
    });
    if (result.valid) return [];
    return result.errors.map((e) => describe(e.loc?.lineNumber, e.message));
  }
}

const cache = new Map<string, SchemaValidator>();

/** One validator per schema file for the life of the process: the schema is read and parsed once. */
export function schemaValidator(xsdPath: string, engine?: SchemaValidator['engine']): SchemaValidator {
  const key = `${engine ?? 'auto'}:${xsdPath}`;
  let v = cache.get(key);
  if (!v) {
    v = engine === 'xmllint-wasm' ? new WasmSchemaValidator(xsdPath) : createPreferred(xsdPath, engine === 'libxmljs2');
    cache.set(key, v);
  }
  return v;
}

function createPreferred(xsdPath: string, required: boolean): SchemaValidator {
  let lib: Libxml;
  try {
    lib = require('libxmljs2') as Libxml; // eslint-disable-line @typescript-eslint/no-require-imports
  } catch (err) {
    if (required) throw err;
    return new WasmSchemaValidator(xsdPath);
  }
  return new LibxmlSchemaValidator(lib, xsdPath);
}

function describe(line: number | null | undefined, message: string): string {
  const text = redactValidationMessage(message.trim());
  return line ? `line ${line}: ${text}` : text;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}

/**
 * libxml2 quotes the offending value in its messages ("The value '…' is not accepted…", "'…' is not
 * a valid value…"), and a value may be a CPR number, a name or note text. Element, facet and type
 * names are kept; values are replaced. The value itself may contain quotes, so the match runs to the
 * fixed wording that follows it.
 */
export function redactValidationMessage(message: string): string {
  return maskCpr(
    message
      .replace(/\{(?:https?|urn):[^}]*\}/g, '') // namespace URIs add nothing for a reader
      .replace(
        /The value '[\s\S]*?' (?=has a length|is not accepted|is not an element|is not a valid|is greater|is less)/g,
        'The value [value] ',
      )
      .replace(/(Element '[^']*': )'[\s\S]*?' (?=is not a valid value)/g, '$1[value] '),
  );
}
