import { job } from './job-def';

export const medcomJobs = {
  /** Repeating: read receipts from the VANS in-folder and apply them. */
  'medcom.inbox.poll': job<Record<string, never>>('medcom'),
  /**
   * Delayed per letter and attempt: no receipt yet → resend, or give up after MEDCOM_MAX_RESENDS.
   * `waits`: the how-many-th look at a file the VANS client had not yet taken; `transient`: the
   * receiver answered transient-error, so resend at once.
   */
  'medcom.receipt-timeout': job<{ letterId: string; attempt: number; noteId: number; waits?: number; transient?: boolean }>('medcom'),
  /** Repeating: arms the receipt timeout of any letter that is overdue and has none (see MedcomService.rearmMissingTimeouts). */
  'medcom.receipt-watchdog': job<Record<string, never>>('medcom'),
  /** Fails at once with the refusal, so a negative receipt shows in the dead letters for a person. */
  'medcom.letter-rejected': job<{ letterId: string; noteId: number; receiptType: string; refuseCode: string }>('medcom'),
} as const;
