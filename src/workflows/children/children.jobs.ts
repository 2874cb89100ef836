import type { QueueGateway } from '../../../queues/queue.gateway';

/**
 * The children's workflow jobs, with deterministic ids: enqueueing one twice is a no-op while the
 * first is still known to the queue, and every handler is idempotent for when it is not.
 */
export interface ChildrenJobs {
  route(requestId: string): Promise<void>;
  acceptanceDeadline(requestId: string, delayMs: number): Promise<void>;
  followUpCheck(requestId: string, delayMs: number): Promise<void>;
  journalAgreement(meetingId: string): Promise<void>;
  /** The follow-up meeting's invitation, once per meeting and invitation sequence (a moved meeting is invited again). */
  followUpInvite(meetingId: string, sequence: number): Promise<void>;
}

export class QueuedChildrenJobs implements ChildrenJobs {
  constructor(private readonly queues: QueueGateway) {}

  async route(requestId: string): Promise<void> {
    await this.queues.enqueue('children.route', { requestId }, { jobId: `children.route.${requestId}` });
  }

  async acceptanceDeadline(requestId: string, delayMs: number): Promise<void> {
    await this.queues.enqueue(
      'children.acceptance-deadline',
      { requestId },
      { jobId: `children.deadline.${requestId}`, delayMs: Math.max(0, delayMs) },
    );
  }

  async followUpCheck(requestId: string, delayMs: number): Promise<void> {
    await this.queues.enqueue(
      'children.followup-check',
      { requestId },
      { jobId: `children.followup.${requestId}`, delayMs: Math.max(0, delayMs) },
    );
  }

  async journalAgreement(meetingId: string): Promise<void> {
    await this.queues.enqueue('children.journal-agreement', { meetingId }, { jobId: `children.agreement.${meetingId}` });
  }

  async followUpInvite(meetingId: string, sequence: number): Promise<void> {
    await this.queues.enqueue('children.followup-invite', { meetingId, sequence }, { jobId: `children.invite.${meetingId}.${sequence}` });
  }
}
