import { CanActivate, createParamDecorator, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AdminCredentials } from './admin-credentials';

const CHALLENGE = 'Basic realm="tsm-bridge admin", charset="UTF-8"';
const MESSAGE = 'admin credentials required';

type AdminRequest = Request & { adminUser?: string };

/** Guards every admin controller: HTTP Basic against the admin account, 401 with a challenge otherwise. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly credentials: AdminCredentials) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AdminRequest>();
    const user = this.credentials.verify(req.headers.authorization);
    if (!user) {
      ctx.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', CHALLENGE);
      throw new UnauthorizedException(MESSAGE);
    }
    req.adminUser = user;
    return true;
  }
}

/** The same check as plain express middleware, for routers Nest does not own (the queue dashboard). */
export function adminAuthMiddleware(credentials: AdminCredentials) {
  return (req: AdminRequest, res: Response, next: NextFunction): void => {
    const user = credentials.verify(req.headers.authorization);
    if (!user) {
      res.setHeader('WWW-Authenticate', CHALLENGE);
      res.status(401).json({ statusCode: 401, error: 'Unauthorized', message: MESSAGE });
      return;
    }
    req.adminUser = user;
    next();
  };
}

/** The authenticated admin's user name: the actor written to the audit log. */
export const AdminUser = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const user = ctx.switchToHttp().getRequest<AdminRequest>().adminUser;
  if (!user) throw new UnauthorizedException(MESSAGE);
  return user;
});
