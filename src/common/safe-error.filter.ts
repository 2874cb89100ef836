import { ArgumentsHost, Catch, HttpException, NotFoundException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Request, Response } from 'express';
import { isRedisUnavailable, REDIS_RETRY_AFTER_S } from '../infra/redis-errors';
import { maskCpr } from '../logging/redact';

/**
 * Every HTTP error answer of the api, whatever the route: texts that would quote the request are
 * replaced by fixed ones. The body parser's message quotes the body ("Unexpected token … in
 * {"a":tru 0703381412}"), Nest's unknown-route 404 quotes the path ("Cannot GET
 * /children/requests/0703381412/x"): either may hold a CPR number or a name. Every other HttpException
 * keeps its own (fixed-text) answer, CPR-masked as a safety net. /children routes (any letter case:
 * express routes ignore it) get the children API's shape: code plus Danish and English message.
 * Redis being unreachable is a 503 with Retry-After (nothing was accepted; asking again later works).
 * Anything else is left to Nest's default, which answers 500 without the error's text.
 */
@Catch()
export class SafeErrorFilter extends BaseExceptionFilter {
  override catch(err: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return super.catch(err, host);
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const children = /^\/children(\/|$)/i.test(req?.path ?? '');
    const status = err instanceof HttpException ? err.getStatus() : (err as { status?: unknown })?.status;
    const fixed = typeof status === 'number' && isParserError(err) ? BODY_ERRORS[status] : isUnknownRoute(err) ? NOT_FOUND : undefined;
    if (fixed && typeof status === 'number') {
      res
        .status(status)
        .json(
          children
            ? { statusCode: status, code: fixed.code, message: fixed.message }
            : { statusCode: status, error: fixed.error, code: fixed.code, message: fixed.message.en },
        );
      return;
    }
    if (err instanceof HttpException) {
      const body = err.getResponse();
      res.status(err.getStatus()).json(maskStrings(typeof body === 'string' ? { statusCode: err.getStatus(), message: body } : body));
      return;
    }
    if (isRedisUnavailable(err)) {
      // The queue store is down or restarting: nothing was accepted, and asking again later will work.
      res.setHeader('Retry-After', String(REDIS_RETRY_AFTER_S));
      res
        .status(503)
        .json(
          children
            ? { statusCode: 503, code: UNAVAILABLE.code, message: UNAVAILABLE.message }
            : { statusCode: 503, error: UNAVAILABLE.error, code: UNAVAILABLE.code, message: UNAVAILABLE.message.en },
        );
      return;
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // An http-errors object from express middleware (a parser error of an unlisted kind): never its text.
      res.status(status).json({ statusCode: status, error: 'Bad Request', code: 'BAD_REQUEST', message: 'The request was refused.' });
      return;
    }
    return super.catch(err, host);
  }
}

/** Errors of the body parser: a mapped SyntaxError (400) or an http-errors object with a `type` (413, 415). */
function isParserError(err: unknown): boolean {
  if (err instanceof HttpException)
    return err.getStatus() === 400 && /JSON/i.test(err.message) && !(err.getResponse() as { code?: unknown })?.code;
  return typeof (err as { type?: unknown })?.type === 'string' && String((err as { type: string }).type).startsWith('entity.');
}

/** Nest's answer for a path no route matches: "Cannot <METHOD> <path>". */
function isUnknownRoute(err: unknown): boolean {
  return err instanceof NotFoundException && /^Cannot [A-Z]+ /.test(err.message);
}

function maskStrings(v: unknown): unknown {
  if (typeof v === 'string') return maskCpr(v);
  if (Array.isArray(v)) return v.map(maskStrings);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [maskCpr(k), maskStrings(x)]));
  return v;
}

interface FixedError {
  code: string;
  error: string;
  message: { da: string; en: string };
}

const UNAVAILABLE: FixedError = {
  code: 'SERVICE_UNAVAILABLE',
  error: 'Service Unavailable',
  message: {
    da: 'Tjenesten er midlertidigt utilgængelig; intet er gemt. Prøv igen om lidt.',
    en: 'The service is temporarily unavailable; nothing was stored. Try again shortly.',
  },
};

const NOT_FOUND: FixedError = { code: 'NOT_FOUND', error: 'Not Found', message: { da: 'Adressen findes ikke.', en: 'No such address.' } };

const BODY_ERRORS: Record<number, FixedError> = {
  400: {
    code: 'MALFORMED_JSON',
    error: 'Bad Request',
    message: { da: 'Indholdet er ikke gyldig JSON.', en: 'The body is not valid JSON.' },
  },
  413: { code: 'BODY_TOO_LARGE', error: 'Payload Too Large', message: { da: 'Indholdet er for stort.', en: 'The body is too large.' } },
  415: {
    code: 'UNSUPPORTED_ENCODING',
    error: 'Unsupported Media Type',
    message: { da: 'Tegnsættet understøttes ikke; brug UTF-8.', en: 'Unsupported charset; use UTF-8.' },
  },
};
