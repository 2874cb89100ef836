import { BadRequestException, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { DeadLetter, QueueGateway } from '../../queues/queue.gateway';
import { parseAge } from '../common/duration';
import { AdminAuthGuard, AdminUser } from './admin-auth';
import { jobIdParam, limitSchema, parseQuery, queueParam } from './admin-params';

/** Dead letters over REST: the same operations as `tsm-bridge dlq`, audited with the admin as actor. */
@Controller('admin/dead-letters')
@UseGuards(AdminAuthGuard)
export class DeadLettersController {
  constructor(private readonly queues: QueueGateway) {}

  @Get()
  list(@Query() query: unknown): Promise<DeadLetter[]> {
    const { limit } = parseQuery(z.object({ limit: limitSchema.default(500) }), query);
    return this.queues.deadLetters(limit);
  }

  @Post('retry-all')
  @HttpCode(200)
  async retryAll(@AdminUser() actor: string): Promise<{ retried: number }> {
    return { retried: await this.queues.retryAllDeadLetters(actor) };
  }

  @Post('purge')
  @HttpCode(200)
  async purge(
    @Query('olderThan') olderThan: string | undefined,
    @AdminUser() actor: string,
  ): Promise<{ purged: number; olderThanMs: number }> {
    if (!olderThan) throw new BadRequestException('olderThan: required, e.g. ?olderThan=30d');
    let ms: number;
    try {
      ms = parseAge(olderThan);
    } catch {
      // parseAge's message quotes the input; an answer never does.
      throw new BadRequestException('olderThan: an age like 30d, 12h, 15m or 45s');
    }
    return { purged: await this.queues.purgeDeadLetters(ms, actor), olderThanMs: ms };
  }

  @Get(':queue/:jobId')
  async show(@Param('queue') queue: string, @Param('jobId') jobId: string): Promise<DeadLetter> {
    const id = deadLetterId(queue, jobId);
    const row = await this.queues.deadLetter(id);
    if (!row) throw new NotFoundException('no dead letter with this id');
    return row;
  }

  @Post(':queue/:jobId/retry')
  @HttpCode(200)
  async retry(
    @Param('queue') queue: string,
    @Param('jobId') jobId: string,
    @AdminUser() actor: string,
  ): Promise<{ id: string; retried: true }> {
    const id = deadLetterId(queue, jobId);
    if (!(await this.queues.retryDeadLetter(id, actor))) throw new NotFoundException('no dead letter with this id');
    return { id, retried: true };
  }

  @Delete(':queue/:jobId')
  async remove(
    @Param('queue') queue: string,
    @Param('jobId') jobId: string,
    @AdminUser() actor: string,
  ): Promise<{ id: string; removed: true }> {
    const id = deadLetterId(queue, jobId);
    if (!(await this.queues.removeDeadLetter(id, actor))) throw new NotFoundException('no dead letter with this id');
    return { id, removed: true };
  }
}

function deadLetterId(queue: string, jobId: string): string {
  return `${queueParam(queue)}/${jobIdParam(jobId)}`;
}
