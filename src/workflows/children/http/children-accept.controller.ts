import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CLOCK, Clock } from '../../../common/clock';
import { AcceptLinks } from '../children.accept-link';
import { ChildrenRequestError } from '../children.errors';
import { AcceptSummary, ChildrenIntake } from '../children.intake';
import { ChildrenUnits } from '../children.units';
import { acceptedPage, acceptErrorPage, acceptFormPage } from './children-accept.page';

/**
 * The signed accept link from the unit's mail (no API key: the signature is the credential).
 * `GET` shows what is accepted, `POST` accepts (idempotent; the API's accept stays). HTML in
 * Danish for people; JSON in the API's error shape for a client that asks for application/json.
 */
@Controller('children/accept')
export class ChildrenAcceptController {
  constructor(
    private readonly links: AcceptLinks,
    private readonly intake: ChildrenIntake,
    private readonly units: ChildrenUnits,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':id')
  async show(
    @Param('id') id: string,
    @Query('exp') exp: unknown,
    @Query('sig') sig: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.respond(req, res, async () => {
      const s = await this.verified(id, exp, sig);
      return {
        status: 200,
        html: acceptFormPage(s, this.unitName(s)),
        json: { requestId: s.id, accepted: Boolean(s.acceptedAt), acceptedAt: s.acceptedAt },
      };
    });
  }

  @Post(':id')
  async accept(
    @Param('id') id: string,
    @Query('exp') exp: unknown,
    @Query('sig') sig: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.respond(req, res, async () => {
      const s = await this.verified(id, exp, sig);
      const result = s.acceptedAt ? undefined : await this.intake.accept(s.id, 'link');
      const after = await this.intake.acceptSummary(s.id);
      const before = !result || result.duplicate;
      return {
        status: 200,
        html: acceptedPage(after, this.unitName(after), before),
        json: { requestId: after.id, meetingId: `${after.id}-m1`, accepted: true, acceptedAt: after.acceptedAt, duplicate: before },
      };
    });
  }

  /**
   * A valid, unexpired signature for this request; a valid but expired one still shows a request
   * that is accepted already (so a second click after the deadline is not an error).
   */
  private async verified(id: string, exp: unknown, sig: unknown): Promise<AcceptSummary> {
    const check = /^[0-9a-f-]{36}$/.test(id) ? this.links.check(id, exp, sig, this.clock.now()) : 'invalid';
    if (check === 'invalid') throw ChildrenRequestError.of('ACCEPT_LINK_INVALID', 403);
    const s = await this.intake.acceptSummary(id);
    if (check === 'expired' && !s.acceptedAt) throw ChildrenRequestError.of('ACCEPT_LINK_EXPIRED', 410);
    return s;
  }

  private unitName(s: AcceptSummary): string {
    return this.units.get(s.unit).name;
  }

  private async respond(req: Request, res: Response, work: () => Promise<{ status: number; html: string; json: object }>): Promise<void> {
    const wantsJson = req.accepts(['html', 'json']) === 'json';
    // The URL carries the signature: not cached, not passed on as a referrer.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    try {
      const out = await work();
      if (wantsJson) res.status(out.status).json(out.json);
      else res.status(out.status).type('html').send(out.html);
    } catch (err) {
      if (!(err instanceof ChildrenRequestError)) throw err;
      if (wantsJson) res.status(err.status).json({ statusCode: err.status, code: err.code, message: err.bilingual });
      else res.status(err.status).type('html').send(acceptErrorPage(err.code, err.bilingual.da));
    }
  }
}
