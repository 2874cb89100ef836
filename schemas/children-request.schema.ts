import { z } from 'zod';
import { CHILDREN_STATUSES } from '../src/domain/children-course';
import { isCprDate } from '../src/logging/redact';

/**
 * The children's collaboration meeting forms as the intake API accepts them: the request form
 * ("anmodningsskema"), the agreement form ("aftaleskema"), and the small bodies around them.
 * These schemas are the single source of the API's OpenAPI description (see children.openapi.ts).
 */

export const CHILDREN_LIMITS = {
  attachments: 5,
  /** Per decoded PDF; base64 adds a third, and the whole JSON body is capped at 5 MB by the app. */
  attachmentBytes: 2 * 1024 * 1024,
  totalAttachmentBytes: 3.5 * 1024 * 1024,
  text: 20_000,
  shortText: 200,
  participants: 30,
  parents: 4,
} as const;

/** Component ids for the OpenAPI document. */
export const childrenSchemaRegistry = z.registry<{ id: string }>();

const shortText = () => z.string().trim().min(1).max(CHILDREN_LIMITS.shortText);
const longText = () => z.string().trim().min(1).max(CHILDREN_LIMITS.text);
const dateTime = () => z.iso.datetime({ offset: true, error: 'an ISO 8601 date-time with offset, e.g. 2026-03-23T10:00:00+01:00' });

export const cprSchema = z
  .string()
  .regex(/^\d{6}-?\d{4}$/, { error: 'a CPR number: ddmmyy-xxxx', abort: true })
  .refine((v) => isCprDate(v.slice(0, 2), v.slice(2, 4), v.slice(4, 6)), { error: 'a CPR number must start with a valid date (ddmmyy)' })
  .describe('CPR number, ddmmyy-xxxx (the dash is optional)');

const MAX_BASE64 = Math.ceil(CHILDREN_LIMITS.attachmentBytes / 3) * 4;

export const attachmentSchema = z
  .strictObject({
    filename: z
      .string()
      .trim()
      .min(1)
      .max(CHILDREN_LIMITS.shortText)
      // A file name must not carry control characters (U+0000–U+001F): the range is the point of the pattern.
      // eslint-disable-next-line no-control-regex
      .regex(/^[^/\\\x00-\x1f]+\.pdf$/i, { error: 'a plain file name ending in .pdf' }),
    contentType: z.literal('application/pdf'),
    base64: z
      .string()
      .max(MAX_BASE64, { error: `at most ${CHILDREN_LIMITS.attachmentBytes} bytes per attachment`, abort: true })
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'base64 (standard alphabet)', abort: true })
      .refine((v) => v.length % 4 === 0, { error: 'base64 length must be a multiple of 4', abort: true })
      .refine((v) => v.startsWith('JVBERi0'), { error: 'the content is not a PDF (no %PDF- header)' })
      .describe('The PDF file, base64-encoded'),
  })
  .describe('A PDF attached to the request (e.g. earlier assessments)');
childrenSchemaRegistry.add(attachmentSchema, { id: 'Attachment' });

export const LOCAL_UNIT_TYPES = ['dagtilbud', 'skole', 'sundhedspleje'] as const;
export const PLACE_TYPES = ['dagtilbud', 'skole', 'hjem'] as const;

export const childrenRequestSchema = z
  .strictObject({
    requestId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: '1–64 letters, digits, dot, dash or underscore' })
      .optional()
      .describe("The caller's idempotency key: submitting the same requestId again returns the same request"),
    child: z.strictObject({
      cpr: cprSchema,
      name: shortText().optional(),
    }),
    consentGiven: z.boolean().describe("The parents' consent (samtykke) to the meeting and to sharing the information"),
    localUnit: z.strictObject({
      name: shortText().describe('The daycare, school or health visiting unit'),
      type: z.enum(LOCAL_UNIT_TYPES),
    }),
    localLeader: z.strictObject({
      name: shortText(),
      email: z
        .email({ error: 'an e-mail address' })
        .max(254)
        .describe("The local leader's mailbox (receives reminders, in copy when a meeting leader is named)"),
    }),
    meetingLeader: z
      .strictObject({
        name: shortText(),
        email: z.email({ error: 'an e-mail address' }).max(254),
      })
      .optional()
      .describe(
        'A local professional the leader delegated the invitation, meeting leadership and follow-up to: receives the reminders, with the local leader in copy',
      ),
    parents: z
      .array(
        z.strictObject({
          name: shortText(),
          email: z
            .email({ error: 'an e-mail address' })
            .max(254)
            .optional()
            .describe('Without an address the local leader is asked to send the agreement form by other means'),
        }),
      )
      .max(CHILDREN_LIMITS.parents)
      .default([])
      .describe('The parents (or custody holders): meeting participants who receive the agreement form and the follow-up invitation'),
    externalUnits: z
      .array(z.string().trim().min(1).max(100))
      .max(10)
      .describe('The one external unit asked for: "Sundhedstjenesten" or "Kompetenceenheden (KE)" (also "KE")'),
    proposedStart: dateTime().describe('Start of the one-hour meeting, agreed with the parents'),
    place: z.strictObject({
      type: z.enum(PLACE_TYPES),
      address: shortText(),
    }),
    description: longText().describe('What the meeting should help with; what has been tried locally'),
    attachments: z.array(attachmentSchema).max(CHILDREN_LIMITS.attachments).default([]),
  })
  .superRefine((v, ctx) => {
    const total = v.attachments.reduce((n, a) => n + decodedLength(a.base64), 0);
    if (total > CHILDREN_LIMITS.totalAttachmentBytes) {
      ctx.addIssue({
        code: 'custom',
        path: ['attachments'],
        message: `attachments may total at most ${CHILDREN_LIMITS.totalAttachmentBytes} bytes`,
      });
    }
  })
  .describe('Anmodningsskema: request for a collaboration meeting (Samarbejdsmøde) with one external unit');
childrenSchemaRegistry.add(childrenRequestSchema, { id: 'ChildrenRequest' });
export type ChildrenRequest = z.output<typeof childrenRequestSchema>;

export const participantSchema = z.strictObject({
  name: shortText(),
  role: shortText().optional().describe('e.g. forælder, pædagog, sundhedsplejerske, psykolog'),
  organisation: shortText().optional(),
  email: z.email({ error: 'an e-mail address' }).max(254).optional().describe('Participants with an address receive the agreement form'),
});

export const agreementSchema = z
  .strictObject({
    meetingDate: dateTime().optional().describe('When the meeting was held; defaults to its scheduled start'),
    participants: z.array(participantSchema).min(1).max(CHILDREN_LIMITS.participants),
    background: longText().optional().describe('The concern and what has been tried'),
    agreements: longText().describe('What was agreed'),
    actions: z
      .array(
        z.strictObject({
          description: longText(),
          responsible: shortText(),
          due: z.iso.date({ error: 'a date YYYY-MM-DD' }).optional(),
        }),
      )
      .max(50)
      .default([]),
    followUpMeetingDate: dateTime().optional().describe('Start of the follow-up meeting, if agreed at this meeting'),
  })
  .describe('Aftaleskema: agreement form, filled in at the first and every follow-up meeting');
childrenSchemaRegistry.add(agreementSchema, { id: 'AgreementForm' });
export type AgreementForm = z.output<typeof agreementSchema>;

export const followUpSchema = z
  .strictObject({ start: dateTime().describe('Start of the follow-up meeting') })
  .describe('Sets the follow-up meeting when it was not agreed at the meeting itself');
childrenSchemaRegistry.add(followUpSchema, { id: 'FollowUpMeeting' });

export const closeSchema = z
  .strictObject({ reason: shortText().describe('Why the course ends, e.g. "forløbet er afsluttet"') })
  .describe('Closes the course: a new request for the same child and unit is then a new course');
childrenSchemaRegistry.add(closeSchema, { id: 'CloseCourse' });

/** Base64 text → decoded byte count, without decoding. */
export function decodedLength(base64: string): number {
  const pad = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - pad;
}

// ---- responses (documentation: the OpenAPI description is generated from these) ----

const bilingual = z.strictObject({ da: z.string(), en: z.string() });
const statusEnum = z.enum(CHILDREN_STATUSES);

export const errorResponseSchema = z
  .strictObject({
    statusCode: z.number().int(),
    code: z.string().describe('Machine-readable, e.g. VALIDATION_FAILED, CONSENT_MISSING, USE_TVAERFAGLIGT_DIALOGMOEDE, UNAUTHORIZED'),
    message: bilingual,
    issues: z
      .array(z.strictObject({ path: z.string(), code: z.string(), message: z.string() }))
      .optional()
      .describe('400: every field that failed validation'),
    violations: z
      .array(z.strictObject({ code: z.string(), message: bilingual }))
      .optional()
      .describe('422: every rule the request breaks; `code` is the first'),
    openRequestId: z.uuid().optional().describe('409 COURSE_ALREADY_OPEN: the request of the open course'),
  })
  .describe('Every 4xx answer of the children API');
childrenSchemaRegistry.add(errorResponseSchema, { id: 'Error' });

export const submitResponseSchema = z.strictObject({
  id: z.uuid(),
  status: statusEnum,
  duplicate: z.boolean().describe('true when this request was submitted before (same requestId or same content): nothing new was stored'),
  invitation: z
    .enum(['mail', 'telefonisk'])
    .describe(
      "'telefonisk': a health visitors' home meeting, invited by phone (nothing is mailed to the central mailbox); 'mail' otherwise",
    ),
  warnings: z
    .array(z.enum(['MEETING_BEFORE_ACCEPT_DEADLINE']))
    .describe(
      'Always present. MEETING_BEFORE_ACCEPT_DEADLINE: the meeting is sooner than 10 working days after receipt, so the unit must accept by the end of the working day before the meeting; the local leader is told by mail (Danish)',
    ),
});
childrenSchemaRegistry.add(submitResponseSchema, { id: 'SubmitResult' });

export const meetingResponseSchema = z.strictObject({
  requestId: z.uuid(),
  meetingId: z.string().describe('The meeting the next agreement form is recorded on'),
  status: statusEnum,
  duplicate: z.boolean(),
  followUpMeetingId: z.string().optional(),
});
childrenSchemaRegistry.add(meetingResponseSchema, { id: 'MeetingResult' });

export const requestViewSchema = z
  .strictObject({
    id: z.uuid(),
    status: statusEnum,
    unit: z.enum(['sundhedstjenesten', 'ke']),
    localUnitType: z.enum(LOCAL_UNIT_TYPES),
    placeType: z.enum(PLACE_TYPES),
    proposedStart: z.string(),
    receivedAt: z.string(),
    acceptanceDeadline: z
      .string()
      .describe('The earlier of the end of the 10th Danish working day after receipt and the end of the working day before the meeting'),
    routedAt: z.string().optional(),
    journaledAt: z.string().optional(),
    acceptanceReminderSentAt: z.string().optional(),
    acceptedAt: z.string().optional(),
    firstMeetingHeldAt: z.string().optional(),
    followUpMeetingStart: z.string().optional(),
    followUpReminderSentAt: z.string().optional(),
    closedAt: z.string().optional().describe('When the course was closed'),
    warnings: z.array(z.string()).describe('As in the submit answer'),
    formDeletedAt: z
      .string()
      .optional()
      .describe("When the form's personal data was deleted from tsm-bridge (after eDoc and the mailbox have it)"),
    problem: z
      .strictObject({ code: z.string(), at: z.string().optional() })
      .optional()
      .describe('A step that failed for good (see the dead-letter view)'),
    meetings: z.array(
      z.strictObject({
        id: z.string(),
        seq: z.number().int(),
        scheduledStart: z.string(),
        heldAt: z.string().optional(),
        agreementJournaledAt: z.string().optional(),
        agreementSentAt: z.string().optional(),
      }),
    ),
  })
  .describe('A request and its course: ids, unit, times and milestones; no personal data');
childrenSchemaRegistry.add(requestViewSchema, { id: 'RequestStatus' });
