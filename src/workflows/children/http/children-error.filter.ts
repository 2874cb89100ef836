import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ChildrenRequestError } from '../children.errors';

/** Turns a refused children request into its 4xx answer: status, code, Danish and English message, details. */
@Catch(ChildrenRequestError)
export class ChildrenErrorFilter implements ExceptionFilter {
  catch(err: ChildrenRequestError, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(err.status)
      .json({
        statusCode: err.status,
        code: err.code,
        message: err.bilingual,
        ...err.details,
      });
  }
}
