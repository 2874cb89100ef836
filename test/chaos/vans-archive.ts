import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { entryResources, fromFhirJson, fromFhirXml, nodes, resourceType, str } from '../../adapters/medcom/fhir/fhir-model';
import { FHIR_NS, IDENTIFIER_SYSTEM } from '../../adapters/medcom/fhir/medcom-fhir.constants';
import { child, parseXmlBytes, textOf } from '../../adapters/medcom/xml/safe-xml';

/** One message as the VANS sandbox picked it up from the out-folder. */
export interface ReceivedMessage {
  file: string;
  envelopeId: string;
  letterId: string;
  /** The patient's CPR as the message carries it (10 digits): ties the letter to a citizen without our own bookkeeping. */
  cpr: string;
}

/**
 * Reads every message the VANS sandbox archived (XDIS91, FHIR XML or FHIR JSON) and returns its
 * envelope id, letter id and patient CPR. This is the network's own record of what was sent,
 * independent of tsm-bridge's letter store. An unreadable file is reported, never skipped.
 */
export async function readVansArchive(dir: string): Promise<{ messages: ReceivedMessage[]; unreadable: string[] }> {
  const messages: ReceivedMessage[] = [];
  const unreadable: string[] = [];
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /\.(xml|json)$/i.test(n)).sort();
  for (const file of names) {
    const bytes = await readFile(path.join(dir, file));
    try {
      messages.push({ file, ...identify(bytes) });
    } catch {
      unreadable.push(file);
    }
  }
  return { messages, unreadable };
}

function identify(bytes: Buffer): Omit<ReceivedMessage, 'file'> {
  const text = bytes.toString('latin1').trimStart();
  if (text.startsWith('{')) return fromBundle(fromFhirJson(JSON.parse(bytes.toString('utf8'))));
  const root = parseXmlBytes(bytes);
  if (root.ns === FHIR_NS) return fromBundle(fromFhirXml(root));
  const letter = child(root, 'ClinicalEmail');
  const ids = {
    envelopeId: textOf(child(child(root, 'Envelope'), 'Identifier')),
    letterId: textOf(child(child(letter, 'Letter'), 'Identifier')),
    cpr: textOf(child(child(letter, 'Patient'), 'CivilRegistrationNumber')),
  };
  if (!ids.envelopeId || !ids.letterId || !ids.cpr) throw new Error('not an XDIS91 letter');
  return ids;
}

function fromBundle(bundle: ReturnType<typeof fromFhirJson>): Omit<ReceivedMessage, 'file'> {
  const resources = entryResources(bundle);
  const header = resources.find((r) => resourceType(r) === 'MessageHeader');
  const patient = resources.find((r) => resourceType(r) === 'Patient');
  const cpr = str(
    nodes(patient, 'identifier').find((i) => str(i, 'system') === IDENTIFIER_SYSTEM.cpr),
    'value',
  );
  const ids = { envelopeId: str(bundle, 'id'), letterId: str(header, 'id'), cpr };
  if (!ids.envelopeId || !ids.letterId || !ids.cpr) throw new Error('not a FHIR CareCommunication');
  return ids;
}
