import { job } from './job-def';

/** Children's collaboration meetings. Payloads are ids only; the forms stay in the children store. */
export const childrenJobs = {
  /** Request form to the unit's central mailbox and to the child's eDoc case. */
  'children.route': job<{ requestId: string }>('children'),
  /** Delayed to the acceptance deadline (10 Danish working days): reminder if not accepted. */
  'children.acceptance-deadline': job<{ requestId: string }>('children'),
  /** Delayed CHILDREN_FOLLOWUP_DAYS after the first meeting: reminder if no follow-up meeting is set. */
  'children.followup-check': job<{ requestId: string }>('children'),
  /** Agreement form to eDoc and to every participant. */
  'children.journal-agreement': job<{ meetingId: string }>('children'),
  /** The follow-up meeting's invitation (ICS) to the participants with an address and the unit's mailbox; `sequence` is the invitation's SEQUENCE. */
  'children.followup-invite': job<{ meetingId: string; sequence: number }>('children'),
} as const;
