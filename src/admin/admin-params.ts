import { BadRequestException, NotFoundException } from '@nestjs/common';
import { z } from 'zod';
import { QUEUE_NAMES, QueueName } from '../../queues/queue-names';

/** Admin REST input checks: unknown queues are 404, malformed values 400 naming the parameter. */
export function queueParam(name: string): QueueName {
  if (!(QUEUE_NAMES as readonly string[]).includes(name)) {
    throw new NotFoundException(`unknown queue; queues: ${QUEUE_NAMES.join(', ')}`);
  }
  return name as QueueName;
}

export function jobIdParam(jobId: string): string {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(jobId)) throw new BadRequestException('jobId: letters, digits, ".", "_" and "-" only');
  return jobId;
}

export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new BadRequestException(`${issue.path.join('.') || 'query'}: ${issue.message}`);
}

export const limitSchema = z.coerce.number().int().min(1).max(10_000);
