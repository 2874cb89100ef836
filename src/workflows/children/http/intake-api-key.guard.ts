import { CanActivate, ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IntakeApiKey } from './intake-api-key';

/** Guards the children intake routes: a valid intake API key, else 401 in the API's error shape. */
@Injectable()
export class IntakeApiKeyGuard implements CanActivate {
  constructor(private readonly key: IntakeApiKey) {}

  canActivate(ctx: ExecutionContext): boolean {
    const http = ctx.switchToHttp();
    if (this.key.verify(http.getRequest<Request>().headers)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="tsm-bridge intake"');
    throw new HttpException(
      {
        statusCode: 401,
        code: 'UNAUTHORIZED',
        message: { da: 'Gyldig API-nøgle mangler.', en: 'A valid API key is required (Authorization: Bearer or X-Api-Key).' },
      },
      401,
    );
  }
}
