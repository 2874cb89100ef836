import type { BoardHooks, HookContext } from '@bull-board/api/typings/app';
import type { NextFunction, Request, Response } from 'express';
import type { AuditService } from '../audit/audit.service';
import type { AdminCredentials } from './admin-credentials';

/**
 * Board actions tsm-bridge refuses: they would put unvalidated payloads on a queue (payloads must
 * hold ids from a validated source), or wipe in-flight work and dead letters without a record of
 * which jobs were lost. Operators use retry/remove/pause here or the admin REST API instead.
 */
export const REFUSED_BOARD_ACTIONS: Record<string, string> = {
  'post /api/queues/:queueName/add': 'adding jobs by hand is disabled: jobs carry validated ids only',
  'patch /api/queues/:queueName/:jobId/update-data': 'editing job data is disabled: jobs carry validated ids only',
  'put /api/queues/:queueName/empty': 'emptying a queue is disabled: it drops work without a trace',
  'put /api/queues/:queueName/obliterate': 'obliterating a queue is disabled: it drops work and dead letters',
  // The service's schedulers drive the inbox reader, the locked-note watch, the receipt watchdog and
  // the agenda plan: removing or editing one here would stop that work silently until a restart.
  'put /api/queues/:queueName/job-schedulers/:schedulerId/remove': 'removing a job scheduler is disabled: the service owns its schedules',
  'patch /api/queues/:queueName/job-schedulers/:schedulerId': 'editing a job scheduler is disabled: the service owns its schedules',
};

/**
 * Refusals that depend on what is asked: cleaning the failed set deletes dead letters (a GP's
 * rejection among them) in bulk, with no record of which; dead letters are removed one at a time
 * (audited with the job id) or purged by age through the admin REST API.
 */
const REFUSED_CLEAN_STATUSES: Record<string, string> = {
  failed:
    'cleaning all failed jobs is disabled: they are dead letters; remove them one at a time or purge by age (POST /admin/dead-letters/purge)',
};

/** Why the board request is refused, or undefined when it is allowed. */
export function boardRefusal(method: string, route: string, params: Record<string, unknown>): string | undefined {
  const key = `${method.toLowerCase()} ${route}`;
  if (REFUSED_BOARD_ACTIONS[key]) return REFUSED_BOARD_ACTIONS[key];
  if (key === 'put /api/queues/:queueName/clean/:queueStatus' && typeof params.queueStatus === 'string') {
    return REFUSED_CLEAN_STATUSES[params.queueStatus];
  }
  return undefined;
}

/** Audit names of the board's mutating routes; an unlisted one is still audited, under its route. */
const BOARD_ACTIONS: Record<string, string> = {
  'put /api/queues/pause': 'pause-all',
  'put /api/queues/resume': 'resume-all',
  'put /api/queues/:queueName/pause': 'pause',
  'put /api/queues/:queueName/resume': 'resume',
  'put /api/queues/:queueName/retry/:queueStatus': 'retry-all',
  'put /api/queues/:queueName/clean/:queueStatus': 'clean-all',
  'put /api/queues/:queueName/promote': 'promote-all',
  'put /api/queues/:queueName/concurrency': 'set-concurrency',
  'put /api/queues/:queueName/rate-limit': 'set-rate-limit',
  'put /api/queues/:queueName/rate-limit/release': 'release-rate-limit',
  'put /api/queues/:queueName/job-schedulers/:schedulerId/remove': 'remove-scheduler',
  'put /api/queues/:queueName/job-schedulers/:schedulerId/run': 'run-scheduler',
  'patch /api/queues/:queueName/job-schedulers/:schedulerId': 'update-scheduler',
  'put /api/queues/:queueName/:jobId/retry': 'retry',
  'put /api/queues/:queueName/:jobId/clean': 'remove',
  'put /api/queues/:queueName/:jobId/promote': 'promote',
  'patch /api/queues/:queueName/:jobId/delay': 'change-delay',
  'patch /api/queues/:queueName/:jobId/priority': 'change-priority',
  'put /api/queues/:queueName/:jobId/remove-unprocessed-children': 'remove-unprocessed-children',
};

export function boardActionName(method: string, route: string): string {
  const key = `${method.toLowerCase()} ${route}`;
  return `admin.board.${BOARD_ACTIONS[key] ?? key.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}`;
}

/** The ids a board request acts on: queue, job (as "<queue>/<jobId>", like dead-letter ids), status, scheduler. */
export function boardActionIds(params: Record<string, unknown>): Record<string, string> {
  const ids: Record<string, string> = {};
  const str = (v: unknown) => (typeof v === 'string' && v.length <= 200 ? v : undefined);
  const queue = str(params.queueName);
  if (queue) ids.queue = queue;
  if (queue && str(params.jobId)) ids.job = `${queue}/${params.jobId}`;
  if (str(params.queueStatus)) ids.status = params.queueStatus as string;
  if (str(params.schedulerId)) ids.scheduler = params.schedulerId as string;
  return ids;
}

/** Refuses the actions above and writes every other mutating board request to the audit log. */
export function boardHooks(audit: AuditService, credentials: AdminCredentials): BoardHooks {
  const actor = (ctx: HookContext) => credentials.verify(ctx.request.headers.authorization) ?? 'unknown';
  const record = (ctx: HookContext, outcome: 'ok' | 'failed', reason?: string) =>
    audit.record({
      action: boardActionName(ctx.method, ctx.route),
      system: 'tsm-bridge',
      outcome,
      actor: actor(ctx),
      externalIds: boardActionIds(ctx.request.params),
      ...(reason ? { reason } : {}),
    });
  return {
    before: async (ctx) => {
      const refused = boardRefusal(ctx.method, ctx.route, ctx.request.params);
      if (!refused) return;
      await record(ctx, 'failed', `refused: ${refused}`);
      return { allow: false, status: 403, message: refused };
    },
    after: async (ctx, result) => {
      if (ctx.method !== 'get') {
        const status = result.status ?? 200;
        await record(ctx, status < 400 ? 'ok' : 'failed', status < 400 ? undefined : `HTTP ${status}`);
      }
      return result;
    },
  };
}

/**
 * The hooks' `after` does not run when a board handler throws (e.g. Redis fails mid-action): such a
 * request ends in a 5xx, and this records it, with the request path as the only id.
 */
export function boardFailureAudit(audit: AuditService, credentials: AdminCredentials) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.path.startsWith('/api/')) {
      res.on('finish', () => {
        if (res.statusCode < 500) return;
        void audit
          .record({
            action: 'admin.board.error',
            system: 'tsm-bridge',
            outcome: 'failed',
            actor: credentials.verify(req.headers.authorization) ?? 'unknown',
            externalIds: { request: `${req.method} ${req.path.replace(/[^A-Za-z0-9._/:-]/g, '_').slice(0, 200)}` },
            reason: `HTTP ${res.statusCode}`,
          })
          .catch(() => undefined); // Redis is likely what failed; the request already answered 5xx
      });
    }
    next();
  };
}
