import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { BoardHooks, ControllerHandlerReturnType, IServerAdapter } from '@bull-board/api/typings/app';
import { ExpressAdapter } from '@bull-board/express';
import type { Express } from 'express';
import path from 'node:path';
import { maskCpr } from '../src/logging/redact';
import { isJobName } from './job-types';
import { maskPayload, QueueGateway } from './queue.gateway';

export interface DashboardOptions {
  /** Where the router is mounted; the UI builds its links from it. */
  basePath: string;
  /** Policy and audit around the board's API handlers (see src/admin/board-hooks.ts). */
  hooks?: BoardHooks;
}

/**
 * bull-board over every queue, with job data masked to ids: payloads and return values through
 * maskPayload, job names only when they are known job types, and every API answer (failure reasons,
 * stack traces, logs) passed through the CPR mask as a last line of defence.
 */
export function createQueueDashboard(gateway: QueueGateway, opts: DashboardOptions): Express {
  const server = new ExpressAdapter().setBasePath(opts.basePath);
  const queues = gateway.allQueues().map((queue) => {
    const adapter = new BullMQAdapter(queue, { displayName: queue.name });
    adapter.setFormatter('data', maskPayload);
    adapter.setFormatter('returnValue', maskValue);
    adapter.setFormatter('progress', maskValue);
    adapter.setFormatter('name', (job: { name?: string }) => safeJobName(job.name));
    return adapter;
  });
  createBullBoard({
    queues,
    // @bull-board/express types itself against its own pinned copy of @bull-board/api: same interface.
    serverAdapter: server as unknown as IServerAdapter,
    options: {
      uiBasePath: path.dirname(require.resolve('@bull-board/ui/package.json')),
      uiConfig: { boardTitle: 'tsm-bridge queues', hideDocsLink: true },
      handlerHooks: {
        before: opts.hooks?.before,
        after: async (ctx, result) => maskAnswer(opts.hooks?.after ? await opts.hooks.after(ctx, result) : result),
      },
    },
  });
  const router = server.getRouter();
  // The board's router is an express app of its own: it would re-add the X-Powered-By header helmet removed.
  router.disable('x-powered-by');
  return router;
}

export function safeJobName(name: string | undefined): string {
  return isJobName(name) ? name : '[unknown job type]';
}

/** Numbers and booleans as they are, objects through maskPayload, anything else masked. */
export function maskValue(value: unknown): unknown {
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'object' && !Array.isArray(value)) return maskPayload(value);
  return '[masked]';
}

function maskAnswer(result: ControllerHandlerReturnType): ControllerHandlerReturnType {
  return { ...result, body: maskStrings(result.body) as ControllerHandlerReturnType['body'] };
}

/** The CPR mask over every string in an answer; numbers (byte counts, timestamps) stay numbers. */
export function maskStrings(value: unknown): unknown {
  if (typeof value === 'string') return maskCpr(value);
  if (Array.isArray(value)) return value.map(maskStrings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [maskCpr(k), maskStrings(v)]));
  }
  return value;
}
