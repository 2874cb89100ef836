import { XMLBuilder } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { PermanentError } from '../../src/common/errors';
import type { OutgoingLetter } from './outgoing-letter';
import { nameIsLatin1, toLatin1Text, TRANSLITERATIONS } from './text/latin1';
import { codePointName } from './text/sanitise';
import { localStamp } from './text/medcom-time';
import { splitIntoBlocks } from './text/text-blocks';

/** The closing line that lists characters XDIS91 (ISO-8859-1) could not carry. */
export const REPLACED_LIST_LABEL = 'Tegn der ikke kunne sendes';

/**
 * The MedCom XDIS91 correspondence letter ("Den gode korrespondance", OIOXML ClinicalEmail,
 * VersionCode XD9134L) as the ISO-8859-1 bytes that go on the wire.
 *
 * Limits are handled on purpose, never by silent loss:
 * - names: organisation names are display text and are shortened to 35 characters; a patient name
 *   longer than the standard's 70 is refused (NAME_TOO_LONG) – identity data is not edited;
 * - subject (≤ 70): shortened at a word boundary with "...", and the full subject is then repeated
 *   as the first line of the text;
 * - text: up to 10 ClinicalInformation/Text01 blocks; more is refused (TEXT_TOO_LONG);
 * - characters outside ISO-8859-1: look-alikes where they exist, otherwise '?', counted in the result.
 */
export const XDIS91_NAMESPACE = 'http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2006/07/01/';
export const XDIS91_VERSION_CODE = 'XD9134L';
export const XDIS91_MAX_TEXT_BLOCKS = 10;
const SUBJECT_MAX = 70;
const ORG_NAME_MAX = 35;
const PERSON_NAME_MAX = 70;

export interface Xdis91Options {
  /** Characters per Text01 block (line breaks count one each). */
  maxBlockChars: number;
}

export interface BuiltXdis91 {
  bytes: Buffer;
  blocks: number;
  subjectShortened: boolean;
  /** Characters with no ISO-8859-1 form that became '?'. */
  replacedChars: number;
  /** Those characters (U+XXXX, each once); the ones in the subject or text are listed at the end of the letter. */
  replacedList: string[];
  /** Letters written as a transliteration ("U+0152→OE", each once); also listed at the end of the letter. */
  transliteratedList: string[];
}

type Node = Record<string, unknown>;

const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, suppressEmptyNode: true, format: false });

export function buildXdis91(letter: OutgoingLetter, opts: Xdis91Options): BuiltXdis91 {
  // A '?' in a name would put another person's name on the letter: refused, never written (the service sends FHIR instead when it can).
  if (!nameIsLatin1(letter.patient.givenName) || !nameIsLatin1(letter.patient.surname))
    throw nameNotRepresentable(letter.receiver.ydernummer);
  let replacedChars = 0;
  const replaced = new Set<string>();
  const transliterated = new Map<string, string>();
  const latin1 = (s: string) => {
    const r = toLatin1Text(s);
    replacedChars += r.replaced;
    for (const cp of r.replacedCodePoints) replaced.add(codePointName(cp));
    for (const cp of r.transliterated) transliterated.set(codePointName(cp), TRANSLITERATIONS[String.fromCodePoint(cp)]);
    return r.text;
  };

  const fullSubject = oneLine(latin1(letter.subject));
  const subject = shorten(fullSubject, SUBJECT_MAX);
  const subjectShortened = subject !== fullSubject;
  const body = latin1(letter.text);
  // A '?' in the text must not pass for the writer's own: the GP sees which characters it stands for,
  // and which were written as a transliteration (U+0152 vist som OE).
  const listed = [
    ...(replaced.size ? [`${[...replaced].join(', ')} (vist som ?)`] : []),
    ...[...transliterated].map(([cp, as]) => `${cp} (vist som ${as})`),
  ];
  const list = listed.length ? `\n\n${REPLACED_LIST_LABEL}: ${listed.join(', ')}` : '';
  const text = (subjectShortened ? `Emne: ${fullSubject}\n\n${body}` : body) + list;
  const blocks = splitIntoBlocks(text, { maxBlocks: XDIS91_MAX_TEXT_BLOCKS, maxBlockChars: opts.maxBlockChars });

  const surname = personName(latin1(letter.patient.surname), 'surname');
  const givenName = oneLine(latin1(letter.patient.givenName));
  if (givenName) personName(givenName, 'given name');
  const sent = localStamp(letter.sentAt);
  const authorised = localStamp(letter.authorisedAt);

  const doc: Node[] = [
    { '?xml': [{ '#text': '' }], ':@': { '@_version': '1.0', '@_encoding': 'ISO-8859-1' } },
    {
      Emessage: [
        el('Envelope', [
          el('Sent', [leaf('Date', sent.date), leaf('Time', sent.time)]),
          leaf('Identifier', letter.envelopeId),
          leaf('AcknowledgementCode', 'pluspositivkvitt'),
        ]),
        el('ClinicalEmail', [
          el('Letter', [
            leaf('Identifier', letter.letterId),
            leaf('VersionCode', XDIS91_VERSION_CODE),
            leaf('StatisticalCode', 'XDIS91'),
            el('Authorisation', [leaf('Date', authorised.date), leaf('Time', authorised.time)]),
            leaf('TypeCode', 'XDIS91'),
            leaf('StatusCode', 'nytbrev'),
          ]),
          el('Sender', [
            leaf('EANIdentifier', letter.sender.ean),
            leaf('Identifier', letter.sender.kommunenummer),
            leaf('IdentifierCode', 'kommunenummer'),
            leaf('OrganisationName', shorten(oneLine(latin1(letter.sender.name)), ORG_NAME_MAX)),
          ]),
          el('Receiver', [
            leaf('EANIdentifier', letter.receiver.ean),
            leaf('Identifier', letter.receiver.ydernummer),
            leaf('IdentifierCode', 'ydernummer'),
            ...optionalLeaf('OrganisationName', shorten(oneLine(latin1(letter.receiver.name)), ORG_NAME_MAX)),
          ]),
          el('Patient', [
            leaf('CivilRegistrationNumber', cprDigits(letter.patient.cpr)),
            leaf('PersonSurnameName', surname),
            ...optionalLeaf('PersonGivenName', givenName),
            // The citizen lives at home, known to the municipality: no hospital episode.
            leaf('EpisodeOfCareStatusCode', 'inaktiv'),
          ]),
          el('AdditionalInformation', [leaf('Priority', 'rutine'), ...optionalLeaf('Subject', subject)]),
          ...blocks.map((lines) => el('ClinicalInformation', [el('Text01', textWithBreaks(lines))])),
        ]),
      ],
      ':@': { '@_xmlns': XDIS91_NAMESPACE },
    },
  ];
  const xml = builder.build(doc) as string;
  return {
    bytes: iconv.encode(xml, 'latin1'),
    blocks: blocks.length,
    subjectShortened,
    replacedChars,
    replacedList: [...replaced],
    transliteratedList: [...transliterated].map(([cp, as]) => `${cp}→${as}`),
  };
}

function el(name: string, children: Node[]): Node {
  return { [name]: children };
}

function leaf(name: string, value: string): Node {
  return { [name]: [{ '#text': value }] };
}

function optionalLeaf(name: string, value: string): Node[] {
  return value ? [leaf(name, value)] : [];
}

/** Lines of one block as mixed content: text, <Break/>, text … (an empty line is two breaks in a row). */
function textWithBreaks(lines: string[]): Node[] {
  const out: Node[] = [];
  lines.forEach((line, i) => {
    if (i) out.push({ Break: [] });
    if (line) out.push({ '#text': line });
  });
  return out;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Shortens at a word boundary and marks the cut with "..."; unchanged when it fits. */
export function shorten(s: string, max: number): string {
  if (s.length <= max) return s;
  const room = max - 3;
  const cut = s.lastIndexOf(' ', room);
  return `${(cut > room / 2 ? s.slice(0, cut) : s.slice(0, room)).trimEnd()}...`;
}

function personName(name: string, what: string): string {
  const n = oneLine(name);
  if (!n && what === 'surname') throw new PermanentError('the patient has no surname', 'PATIENT_NAME_MISSING', 'medcom');
  if (n.length > PERSON_NAME_MAX) {
    throw new PermanentError(
      `the patient's ${what} is longer than ${PERSON_NAME_MAX} characters (XDIS91 limit)`,
      'NAME_TOO_LONG',
      'medcom',
    );
  }
  return n;
}

/**
 * The patient's name has characters ISO-8859-1 cannot carry and the practice takes only XDIS91. The
 * message names the practice, never the person (it goes to the dead letters, the audit and logs).
 */
export function nameNotRepresentable(ydernummer: string): PermanentError {
  return new PermanentError(
    `Patientens navn indeholder tegn, som XDIS91 (ISO-8859-1) ikke kan gengive, og lægepraksis ${ydernummer} modtager ikke FHIR: ` +
      'brevet er ikke sendt (navnet ville være blevet vist med ?). Send brevet til lægen på anden vis.',
    'NAME_NOT_REPRESENTABLE',
    'medcom',
  );
}

/** 10 digits; "ddmmyy-xxxx" is accepted and written without the dash. */
export function cprDigits(cpr: string): string {
  const digits = cpr.replace(/^(\d{6})-(\d{4})$/, '$1$2');
  if (!/^\d{10}$/.test(digits)) throw new PermanentError('the patient CPR number is not 10 digits', 'CPR_INVALID', 'medcom');
  return digits;
}
