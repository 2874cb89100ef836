import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AuditRecord, AuditService } from '../audit/audit.service';
import { AdminAuthGuard } from './admin-auth';
import { limitSchema, parseQuery } from './admin-params';

const auditQuery = z.object({
  noteId: z.coerce.number().int().positive().optional(),
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'letters, digits, ".", "_", ":" and "-"')
    .optional(),
  day: z.iso.date('a day as YYYY-MM-DD').optional(),
  limit: limitSchema.optional(),
});

/** What happened to a note, an intake request, or on a day (UTC): ids and outcomes only. */
@Controller('admin/audit')
@UseGuards(AdminAuthGuard)
export class AuditController {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  @Get()
  query(@Query() query: unknown): Promise<AuditRecord[]> {
    return this.audit.query(parseQuery(auditQuery, query));
  }
}
