import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { AppConfig } from '../config/config.schema';
import { rootLogger } from '../logging/logger';

/** The routes that ask for credentials: admin (Basic), metrics (Basic) and the children's intake (API key). */
export const CREDENTIAL_ROUTES = ['/admin', '/metrics', '/children'];

/**
 * Guessing the admin password or the intake key: only refused sign-ins (401) count, per client
 * address; after AUTH_FAILURE_LIMIT of them within the window, that address gets 429 with
 * Retry-After until the window ends, right credentials included. Successful requests never count.
 */
export function authFailureLimit(config: Pick<AppConfig, 'AUTH_FAILURE_LIMIT' | 'AUTH_FAILURE_WINDOW_MIN'>): RequestHandler | undefined {
  if (config.AUTH_FAILURE_LIMIT === 0) return undefined;
  const log = rootLogger().child({ component: 'auth-limit' });
  return rateLimit({
    windowMs: config.AUTH_FAILURE_WINDOW_MIN * 60_000,
    limit: config.AUTH_FAILURE_LIMIT,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, res, _next, options) => {
      // The operator's client address, not a citizen's data: needed to find who is guessing.
      log.warn(
        { client: req.ip, route: req.path.split('/')[1] },
        'too many refused sign-ins from this address: refused until the window ends',
      );
      res.status(options.statusCode).json({
        statusCode: options.statusCode,
        error: 'Too Many Requests',
        message: 'too many refused sign-ins from this address; try again later',
      });
    },
  });
}

export { trustProxySetting } from '../config/trust-proxy';
