import { ArgumentsHost, Catch, HttpException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Request, Response } from 'express';

/**
 * Bodies the JSON parser refuses before any controller runs (invalid JSON, over the 5 MB limit, an
 * unsupported charset) get the children API's error shape on /children routes, with a fixed message:
 * the parser's own message quotes the body, which may hold a CPR number. Every other error, and every
 * other route, is left to Nest's default handling.
 */
@Catch()
export class ChildrenBodyErrorFilter extends BaseExceptionFilter {
  override catch(err: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const status = err instanceof HttpException ? err.getStatus() : (err as { status?: unknown })?.status;
    const mapped = host.getType() === 'http' && req?.path?.startsWith('/children/') && typeof status === 'number' ? BODY_ERRORS[status] : undefined;
    if (!mapped || !isParserError(err)) return super.catch(err, host);
    host.switchToHttp().getResponse<Response>().status(status as number).json({ statusCode: status, ...mapped });
  }
}

/** Errors of the body parser: a mapped SyntaxError (400) or an http-errors object with a `type` (413, 415). */
function isParserError(err: unknown): boolean {
  if (err instanceof HttpException) return err.getStatus() === 400 && /JSON/i.test(err.message);
  return typeof (err as { type?: unknown })?.type === 'string' && String((err as { type: string }).type).startsWith('entity.');
}

const BODY_ERRORS: Record<number, { code: string; message: { da: string; en: string } }> = {
  400: { code: 'MALFORMED_JSON', message: { da: 'Indholdet er ikke gyldig JSON.', en: 'The body is not valid JSON.' } },
  413: { code: 'BODY_TOO_LARGE', message: { da: 'Indholdet er større end 5 MB.', en: 'The body is larger than 5 MB.' } },
  415: { code: 'UNSUPPORTED_ENCODING', message: { da: 'Tegnsættet understøttes ikke; brug UTF-8.', en: 'Unsupported charset; use UTF-8.' } },
};
