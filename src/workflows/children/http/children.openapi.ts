import { z } from 'zod';
import { childrenSchemaRegistry } from '../../../../schemas/children-request.schema';
import { CHILDREN_STATUSES } from '../../../domain/children-course';

/**
 * The children API's OpenAPI 3.1 description. Component schemas are generated from the zod schemas
 * the API validates with (JSON Schema 2020-12, which OpenAPI 3.1 uses as is), so the description
 * cannot drift from what is enforced.
 */
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ content: { 'application/json': { schema: ref(id) } } });
const error = (description: string) => ({ description, ...json('Error') });
const idParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const intake = [{ intakeBearer: [] }, { intakeApiKey: [] }];

export function buildChildrenOpenApi(): Record<string, unknown> {
  const generated = z.toJSONSchema(childrenSchemaRegistry, {
    target: 'draft-2020-12',
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const schemas = Object.fromEntries(
    Object.entries(generated.schemas).map(([id, s]) => {
      const { $schema: _schema, $id: _id, ...rest } = s as Record<string, unknown>;
      return [id, rest];
    }),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'tsm-bridge – children’s collaboration meetings (Samarbejdsmøde)',
      version: '1',
      description:
        'Request intake (anmodningsskema), acceptance by the external unit, agreement forms (aftaleskema) and follow-up. ' +
        'Refusals are 4xx with a machine-readable `code` and a Danish and English message.',
    },
    components: {
      schemas,
      securitySchemes: {
        intakeBearer: { type: 'http', scheme: 'bearer', description: 'INTAKE_API_KEY' },
        intakeApiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'INTAKE_API_KEY' },
        adminBasic: { type: 'http', scheme: 'basic' },
      },
    },
    paths: {
      '/children/requests': {
        post: {
          summary: 'Submit a request form',
          description:
            'Validates the form, applies the rules (one external unit, consent, meeting windows), stores it and routes it to the ' +
            "unit's central mailbox and the child's eDoc case. Submitting the same requestId or the same content again returns the same request.",
          security: intake,
          requestBody: { required: true, ...json('ChildrenRequest') },
          responses: {
            201: {
              description:
                'Received; `warnings` (always present) may hold MEETING_BEFORE_ACCEPT_DEADLINE; `invitation` is "telefonisk" for a health visitors\' home meeting',
              ...json('SubmitResult'),
            },
            200: { description: 'Submitted before: the existing request', ...json('SubmitResult') },
            400: error('Malformed body (VALIDATION_FAILED with the failing fields)'),
            401: error('No or wrong API key'),
            409: error(
              'REQUEST_ID_REUSED: the requestId was used for different content; COURSE_ALREADY_OPEN: the child has an open course with this unit (`openRequestId` names it)',
            ),
            413: { description: 'Body larger than 5 MB' },
            422: error(
              'A rule is broken: CONSENT_MISSING, EXTERNAL_UNIT_MISSING, UNIT_NOT_ALLOWED, UNKNOWN_UNIT, USE_TVAERFAGLIGT_DIALOGMOEDE, OUTSIDE_MEETING_WINDOW, MEETING_ON_PUBLIC_HOLIDAY, PROPOSED_START_IN_PAST',
            ),
          },
        },
      },
      '/children/requests/{id}': {
        get: {
          summary: "A request's status",
          security: intake,
          parameters: [idParam('id', 'Request id')],
          responses: {
            200: { description: 'Status', ...json('RequestStatus') },
            401: error('No or wrong API key'),
            404: error('REQUEST_NOT_FOUND'),
          },
        },
      },
      '/children/requests/{id}/accept': {
        post: {
          summary: 'The external professional accepts the meeting',
          description: 'Idempotent. Creates the first meeting, on which the agreement form is recorded.',
          security: intake,
          parameters: [idParam('id', 'Request id')],
          responses: {
            200: { description: 'Accepted', ...json('MeetingResult') },
            401: error('No or wrong API key'),
            404: error('REQUEST_NOT_FOUND'),
          },
        },
      },
      '/children/accept/{id}': {
        parameters: [
          idParam('id', 'Request id'),
          {
            name: 'exp',
            in: 'query',
            required: true,
            description: "Expiry, unix seconds (the acceptance deadline; in the reminder: the meeting's start)",
            schema: { type: 'string', pattern: '^\\d{1,12}$' },
          },
          {
            name: 'sig',
            in: 'query',
            required: true,
            description: 'base64url HMAC-SHA-256 (CHILDREN_ACCEPT_LINK_SECRET) over the request id and exp',
            schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
          },
        ],
        get: {
          summary: "The accept link from the unit's mail: what is accepted",
          description:
            'No API key: the signature is the credential. A Danish HTML page (unit, time, place, deadline, reference; no CPR, no names, ' +
            "never the child's home address) with a button that POSTs to the same URL; JSON when the client asks for application/json. " +
            'A valid but expired link still shows a request that is accepted already.',
          security: [],
          responses: {
            200: { description: 'The page (text/html), or `{requestId, accepted, acceptedAt}` (application/json)' },
            403: error('ACCEPT_LINK_INVALID: the signature does not match this request and expiry (a changed or forged link)'),
            404: error('REQUEST_NOT_FOUND: the request has expired with its retention'),
            410: error('ACCEPT_LINK_EXPIRED: the link is past its expiry and the request is not accepted'),
          },
        },
        post: {
          summary: 'Accept through the link',
          description:
            'Accepts the request as `POST /children/requests/{id}/accept` does (first meeting created); idempotent: a second POST answers 200 with `duplicate: true`.',
          security: [],
          responses: {
            200: {
              description: 'Accepted (text/html), or `{requestId, meetingId, accepted: true, acceptedAt, duplicate}` (application/json)',
            },
            403: error('ACCEPT_LINK_INVALID'),
            404: error('REQUEST_NOT_FOUND'),
            410: error('ACCEPT_LINK_EXPIRED'),
          },
        },
      },
      '/children/requests/{id}/follow-up': {
        post: {
          summary: 'Set the follow-up meeting',
          description:
            'For when it was not agreed at the meeting. Moves a scheduled follow-up that has not been held yet. The invitation (ICS, METHOD:REQUEST) ' +
            "goes to the latest agreement form's participants with an address and to the unit's mailbox; a move sends it again with a higher SEQUENCE.",
          security: intake,
          parameters: [idParam('id', 'Request id')],
          requestBody: { required: true, ...json('FollowUpMeeting') },
          responses: {
            200: { description: 'Scheduled', ...json('MeetingResult') },
            400: error('VALIDATION_FAILED'),
            401: error('No or wrong API key'),
            404: error('REQUEST_NOT_FOUND'),
            409: error('NOT_ACCEPTED or NO_MEETING_HELD'),
            422: error('OUTSIDE_MEETING_WINDOW, MEETING_ON_PUBLIC_HOLIDAY, PROPOSED_START_IN_PAST or FOLLOW_UP_BEFORE_MEETING'),
          },
        },
      },
      '/children/requests/{id}/close': {
        post: {
          summary: 'Close the course',
          description:
            'Ends the course ("forløb") of a request, with a reason; a new request for the same child and unit then starts a new course. Idempotent. A course not closed ends CHILDREN_COURSE_OPEN_MONTHS (12) after its last meeting.',
          security: intake,
          parameters: [idParam('id', 'Request id')],
          requestBody: { required: true, ...json('CloseCourse') },
          responses: {
            200: { description: 'Closed (status closed)' },
            400: error('VALIDATION_FAILED: no reason'),
            401: error('No or wrong API key'),
            404: error('REQUEST_NOT_FOUND'),
          },
        },
      },
      '/children/meetings/{id}/agreement': {
        post: {
          summary: 'Record the agreement form of a meeting',
          description:
            "Journals it on the child's eDoc case and sends it to every participant with an e-mail address (the form's participants, the request's " +
            'parents and meeting leader, merged by name); the local leader gets the names of those without an address, to send it by other means. ' +
            "A followUpMeetingDate sends that meeting's invitation (ICS). Idempotent for the same form.",
          security: intake,
          parameters: [idParam('id', 'Meeting id (from accept or a follow-up)')],
          requestBody: { required: true, ...json('AgreementForm') },
          responses: {
            201: { description: 'Recorded', ...json('MeetingResult') },
            200: { description: 'Recorded before: nothing new', ...json('MeetingResult') },
            400: error('VALIDATION_FAILED'),
            401: error('No or wrong API key'),
            404: error('MEETING_NOT_FOUND'),
            409: error(
              "NOT_ACCEPTED, AGREEMENT_ALREADY_RECORDED, or MEETING_NOT_HELD (the meeting's start, or the given meetingDate, is in the future)",
            ),
            422: error('The follow-up meeting breaks a time rule'),
          },
        },
      },
      '/admin/children/requests': {
        get: {
          summary: 'Requests by status (admin)',
          security: [{ adminBasic: [] }],
          parameters: [
            { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: [...CHILDREN_STATUSES] } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          ],
          responses: {
            200: {
              description: 'Newest first',
              content: { 'application/json': { schema: { type: 'array', items: ref('RequestStatus') } } },
            },
            400: error('Unknown status'),
            401: { description: 'Admin credentials required' },
          },
        },
      },
      '/admin/children/requests/{id}': {
        get: {
          summary: "One request's status and audit trail (admin)",
          security: [{ adminBasic: [] }],
          parameters: [idParam('id', 'Request id')],
          responses: {
            200: { description: 'Status and audit records (ids only)' },
            401: { description: 'Admin credentials required' },
            404: error('REQUEST_NOT_FOUND'),
          },
        },
      },
    },
  };
}
