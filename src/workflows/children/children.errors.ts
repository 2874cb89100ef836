import type { z } from 'zod';
import { maskCpr } from '../../logging/redact';
import type { BilingualMessage, RuleViolation } from '../../domain/children-meeting.rules';

export interface FieldIssue {
  /** Dotted path into the body, e.g. "child.cpr" or "attachments.0.base64". */
  path: string;
  code: string;
  message: string;
}

/**
 * A request the intake refuses, with the HTTP status class it maps to and a machine-readable code.
 * Messages are fixed texts (Danish and English), never echoes of the input.
 */
export class ChildrenRequestError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 410 | 422,
    readonly code: string,
    readonly bilingual: BilingualMessage,
    readonly details: { issues?: FieldIssue[]; violations?: RuleViolation[]; openRequestId?: string } = {},
  ) {
    super(`${code}: ${bilingual.en}`);
    this.name = 'ChildrenRequestError';
  }

  static validation(error: z.ZodError): ChildrenRequestError {
    return new ChildrenRequestError(400, 'VALIDATION_FAILED', MESSAGES.VALIDATION_FAILED, {
      issues: error.issues.slice(0, 50).map((i) => ({ path: issuePath(i.path), code: i.code, message: issueMessage(i) })),
    });
  }

  static rules(violations: RuleViolation[]): ChildrenRequestError {
    return new ChildrenRequestError(422, violations[0].code, violations[0].message, { violations });
  }

  /** 409 COURSE_ALREADY_OPEN, naming the open course's request (follow-up meetings belong to it). */
  static courseOpen(openRequestId: string): ChildrenRequestError {
    return new ChildrenRequestError(409, 'COURSE_ALREADY_OPEN', MESSAGES.COURSE_ALREADY_OPEN, { openRequestId });
  }

  static of(code: keyof typeof MESSAGES, status: 400 | 403 | 404 | 409 | 410 | 422): ChildrenRequestError {
    return new ChildrenRequestError(status, code, MESSAGES[code]);
  }
}

/**
 * zod names unknown keys in its message ('Unrecognized key: "0703381412 Anna Prøvesen"'): the keys
 * are the sender's text, so the answer says how many, never which. Other messages are zod's fixed
 * texts (CPR-masked as a safety net).
 */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `Unrecognized key(s) (${issue.keys.length}); the form accepts only its documented fields`;
  return maskCpr(issue.message);
}

/** Path segments are the schema's own field names and array indexes; anything else is not echoed. */
function issuePath(path: PropertyKey[]): string {
  return (
    path
      .map((p) => (typeof p === 'number' || (typeof p === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,40}$/.test(p)) ? String(p) : '?'))
      .join('.') || '(body)'
  );
}

const MESSAGES = {
  VALIDATION_FAILED: {
    da: 'Skemaet er ikke udfyldt korrekt. Se de enkelte felter.',
    en: 'The form is not filled in correctly. See the individual fields.',
  },
  REQUEST_NOT_FOUND: { da: 'Anmodningen findes ikke.', en: 'The request does not exist.' },
  MEETING_NOT_FOUND: { da: 'Mødet findes ikke.', en: 'The meeting does not exist.' },
  REQUEST_ID_REUSED: {
    da: 'Dette requestId er allerede brugt til en anden anmodning.',
    en: 'This requestId was already used for a different request.',
  },
  NOT_ACCEPTED: {
    da: 'Anmodningen er endnu ikke accepteret af den eksterne enhed.',
    en: 'The request has not been accepted by the external unit yet.',
  },
  AGREEMENT_ALREADY_RECORDED: {
    da: 'Der er allerede registreret et andet aftaleskema for dette møde. Brug det opfølgende møde til et opdateret aftaleskema.',
    en: 'A different agreement form is already recorded for this meeting. Record the updated form on the follow-up meeting.',
  },
  FOLLOW_UP_BEFORE_MEETING: {
    da: 'Det opfølgende møde skal ligge efter mødet.',
    en: 'The follow-up meeting must come after the meeting.',
  },
  COURSE_ALREADY_OPEN: {
    da: 'Barnet har allerede et åbent forløb med denne enhed. Anmodningsskemaet bruges kun til et nyt forløb; opfølgende møder hører til det åbne forløb.',
    en: 'The child already has an open course with this unit. A request form is only for a new course; follow-up meetings belong to the open course.',
  },
  MEETING_NOT_HELD: {
    da: 'Mødet er ikke afholdt endnu. Aftaleskemaet registreres, når mødet har fundet sted.',
    en: 'The meeting has not been held yet. Record the agreement form once the meeting has taken place.',
  },
  ACCEPT_LINK_INVALID: {
    da: 'Linket er ugyldigt. Brug linket fra mailen uændret, eller kontakt den lokale leder.',
    en: 'The link is not valid. Use the link from the mail unchanged, or contact the local leader.',
  },
  ACCEPT_LINK_EXPIRED: {
    da: 'Linket er udløbet. Kontakt den lokale leder, eller brug linket i påmindelsen.',
    en: 'The link has expired. Contact the local leader, or use the link in the reminder.',
  },
  NO_MEETING_HELD: {
    da: 'Der er endnu ikke registreret et aftaleskema for det seneste møde.',
    en: 'No agreement form has been recorded for the latest meeting yet.',
  },
} satisfies Record<string, BilingualMessage>;
