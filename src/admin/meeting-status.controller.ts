import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { District, findDistrict } from '../config/districts';
import { DISTRICTS } from '../config/tokens';
import { MeetingStatus, MeetingStatusService } from '../workflows/after-meeting/after-meeting.status';
import { AdminAuthGuard } from './admin-auth';

const isoDate = z.iso.date();

/** After-meeting progress per meeting: notes done, pending, failed; documents, letters, tasks. */
@Controller('admin/meetings')
@UseGuards(AdminAuthGuard)
export class MeetingStatusController {
  constructor(
    private readonly status: MeetingStatusService,
    @Inject(DISTRICTS) private readonly districts: District[],
  ) {}

  @Get(':district/:date/status')
  async meeting(@Param('district') district: string, @Param('date') date: string): Promise<MeetingStatus> {
    if (!isoDate.safeParse(date).success) throw new BadRequestException('date: a day as YYYY-MM-DD');
    if (!findDistrict(this.districts, district)) {
      throw new NotFoundException(`unknown district; districts: ${this.districts.map((d) => d.id).join(', ')}`);
    }
    return this.status.meeting(district, date);
  }
}
