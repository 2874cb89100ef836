import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { QueueGateway } from '../../queues/queue.gateway';
import { AdminAuthGuard, AdminUser } from './admin-auth';
import { queueParam } from './admin-params';

/** Pausing stops workers taking new jobs from a queue (running ones finish); both are audited. */
@Controller('admin/queues/:name')
@UseGuards(AdminAuthGuard)
export class QueueControlController {
  constructor(private readonly queues: QueueGateway) {}

  @Post('pause')
  @HttpCode(200)
  async pause(@Param('name') name: string, @AdminUser() actor: string): Promise<{ queue: string; paused: true }> {
    const queue = queueParam(name);
    await this.queues.pause(queue, actor);
    return { queue, paused: true };
  }

  @Post('resume')
  @HttpCode(200)
  async resume(@Param('name') name: string, @AdminUser() actor: string): Promise<{ queue: string; paused: false }> {
    const queue = queueParam(name);
    await this.queues.resume(queue, actor);
    return { queue, paused: false };
  }
}
