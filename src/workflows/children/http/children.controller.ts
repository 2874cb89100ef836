import { Body, Controller, Get, HttpCode, Param, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ChildrenIntake, MeetingResult, RequestView, SubmitResult } from '../children.intake';
import { ChildrenErrorFilter } from './children-error.filter';
import { buildChildrenOpenApi } from './children.openapi';
import { IntakeApiKeyGuard } from './intake-api-key.guard';

/** The children intake API: request form, acceptance, agreement forms, follow-up. */
@Controller('children')
@UseFilters(ChildrenErrorFilter)
export class ChildrenController {
  private readonly openApi = buildChildrenOpenApi();

  constructor(private readonly intake: ChildrenIntake) {}

  /** Public: the description holds no data, and form solutions fetch it to build their client. */
  @Get('openapi.json')
  openapi(): Record<string, unknown> {
    return this.openApi;
  }

  @Post('requests')
  @UseGuards(IntakeApiKeyGuard)
  async submit(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<SubmitResult> {
    const result = await this.intake.submit(body);
    res.status(result.duplicate ? 200 : 201);
    return result;
  }

  @Get('requests/:id')
  @UseGuards(IntakeApiKeyGuard)
  status(@Param('id') id: string): Promise<RequestView> {
    return this.intake.view(id);
  }

  @Post('requests/:id/accept')
  @HttpCode(200)
  @UseGuards(IntakeApiKeyGuard)
  accept(@Param('id') id: string): Promise<MeetingResult> {
    return this.intake.accept(id);
  }

  @Post('requests/:id/follow-up')
  @HttpCode(200)
  @UseGuards(IntakeApiKeyGuard)
  followUp(@Param('id') id: string, @Body() body: unknown): Promise<MeetingResult> {
    return this.intake.setFollowUp(id, body);
  }

  @Post('requests/:id/close')
  @HttpCode(200)
  @UseGuards(IntakeApiKeyGuard)
  close(@Param('id') id: string, @Body() body: unknown): ReturnType<ChildrenIntake['close']> {
    return this.intake.close(id, body);
  }

  @Post('meetings/:id/agreement')
  @UseGuards(IntakeApiKeyGuard)
  async agreement(@Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<MeetingResult> {
    const result = await this.intake.recordAgreement(id, body);
    res.status(result.duplicate ? 200 : 201);
    return result;
  }
}
