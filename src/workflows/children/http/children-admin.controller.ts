import { Controller, Get, Param, Query, UseFilters, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../../../admin/admin-auth';
import { AuditRecord, AuditService } from '../../../audit/audit.service';
import { CHILDREN_STATUSES, ChildrenStatus } from '../../../domain/children-course';
import { ChildrenRequestError } from '../children.errors';
import { ChildrenIntake, RequestView } from '../children.intake';
import { ChildrenErrorFilter } from './children-error.filter';

/** Admin view of the children's requests: status per request and its audit trail (ids only). */
@Controller('admin/children')
@UseGuards(AdminAuthGuard)
@UseFilters(ChildrenErrorFilter)
export class ChildrenAdminController {
  constructor(
    private readonly intake: ChildrenIntake,
    private readonly audit: AuditService,
  ) {}

  @Get('requests')
  list(@Query('status') status?: string, @Query('limit') limit?: string): Promise<RequestView[]> {
    if (status !== undefined && !CHILDREN_STATUSES.includes(status as ChildrenStatus)) {
      throw new ChildrenRequestError(400, 'UNKNOWN_STATUS', {
        da: `Ukendt status. Brug en af: ${CHILDREN_STATUSES.join(', ')}.`,
        en: `Unknown status. Use one of: ${CHILDREN_STATUSES.join(', ')}.`,
      });
    }
    const n = Number(limit ?? 100);
    return this.intake.list({ status, limit: Number.isInteger(n) && n >= 1 ? Math.min(n, 1000) : 100 });
  }

  @Get('requests/:id')
  async one(@Param('id') id: string): Promise<{ request: RequestView; audit: AuditRecord[] }> {
    const request = await this.intake.view(id);
    return { request, audit: await this.audit.query({ requestId: request.id }) };
  }
}
