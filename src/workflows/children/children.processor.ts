import { Injectable } from '@nestjs/common';
import { classifyError, errorCode } from '../../common/errors';
import { JournalAgreementStep } from './children.agreement';
import { ChildrenReminders } from './children.reminders';
import { RouteRequestStep } from './children.routing';
import { ChildrenStore, requestIdOfMeeting } from './children.store';
import type { JobContext } from '../../../queues/job-context';
import { JobHandler } from '../../../queues/job-handler.decorator';
import type { JobPayload } from '../../../queues/job-types';

/**
 * Children's collaboration meeting jobs. The steps do the work; this class maps jobs to them and
 * marks the request with the failure code when a step will not be retried again, so the status
 * shows what an operator must look at.
 */
@Injectable()
export class ChildrenProcessor {
  constructor(
    private readonly routeStep: RouteRequestStep,
    private readonly reminders: ChildrenReminders,
    private readonly agreementStep: JournalAgreementStep,
    private readonly store: ChildrenStore,
  ) {}

  @JobHandler('children.route')
  async route(p: JobPayload<'children.route'>, ctx: JobContext): Promise<{ result: string }> {
    return this.run(p.requestId, ctx, () => this.routeStep.run(p.requestId));
  }

  @JobHandler('children.acceptance-deadline')
  async acceptanceDeadline(p: JobPayload<'children.acceptance-deadline'>, ctx: JobContext): Promise<{ result: string }> {
    return this.run(p.requestId, ctx, () => this.reminders.acceptanceDeadline(p.requestId));
  }

  @JobHandler('children.followup-check')
  async followUpCheck(p: JobPayload<'children.followup-check'>, ctx: JobContext): Promise<{ result: string }> {
    return this.run(p.requestId, ctx, () => this.reminders.followUpCheck(p.requestId));
  }

  @JobHandler('children.journal-agreement')
  async journalAgreement(p: JobPayload<'children.journal-agreement'>, ctx: JobContext): Promise<{ result: string }> {
    return this.run(requestIdOfMeeting(p.meetingId), ctx, () => this.agreementStep.run(p.meetingId));
  }

  private async run(requestId: string, ctx: JobContext, step: () => Promise<string>): Promise<{ result: string }> {
    try {
      const result = await step();
      ctx.log.info({ requestId, result }, 'children step done');
      return { result };
    } catch (err) {
      const final = classifyError(err) === 'permanent' || ctx.attemptsMade + 1 >= ctx.attempts;
      if (final) await this.store.setProblem(requestId, errorCode(err), new Date().toISOString()).catch(() => undefined);
      throw err;
    }
  }
}
