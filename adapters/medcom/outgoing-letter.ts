import type { GpPractice } from '../directory/directory.port';

/** Who sends: the municipality's VANS address and name (MEDCOM_SENDER_*). */
export interface MedcomSender {
  /** EAN/GLN location number, 13 digits. */
  ean: string;
  /** SOR code of the sending unit (FHIR addressing). */
  sor: string;
  /** OIOXML Sender/Identifier with IdentifierCode "kommunenummer". */
  kommunenummer: string;
  /** At most 35 characters (OIOXML OrganisationName). */
  name: string;
}

/** The person or function named as author of the text (FHIR payload author and contact). */
export interface LetterAuthor {
  givenName: string;
  familyName: string;
  role: string;
  phone: string;
}

/** Everything one attempt of one letter is built from, whatever the wire format. */
export interface OutgoingLetter {
  /** Fixed for the letter's life: XDIS91 Letter/Identifier or FHIR MessageHeader.id. */
  letterId: string;
  /** New for every attempt: XDIS91 Envelope/Identifier or FHIR Bundle.id. */
  envelopeId: string;
  /** 0 for the first send, 1.. for resends. */
  attempt: number;
  /** When this attempt is sent (envelope timestamp). */
  sentAt: Date;
  /** When the letter was first sent; stays the same on resends. */
  authorisedAt: Date;
  sender: MedcomSender;
  receiver: GpPractice;
  patient: { cpr: string; givenName: string; surname: string };
  author: LetterAuthor;
  subject: string;
  text: string;
}
