import type express from 'express';
import { AppError, toErrorBody, type ErrorCode } from '@im/protocol';
import { errorFields, type Logger } from '@im/kit';

/** The HTTP status of each contract error code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_frame: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  window_expired: 410,
  too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

export function sendError(res: express.Response, err: unknown, logger: Logger): void {
  if (!(err instanceof AppError)) logger.error('http request failed', errorFields(err));
  const body = toErrorBody(err);
  if (err instanceof AppError && err.retryAfter !== undefined) res.set('Retry-After', String(Math.ceil(err.retryAfter)));
  res.status(HTTP_STATUS[body.code]).json({ error: body });
}

/** Wraps an async route so every failure becomes a contract error response. */
export function route(logger: Logger, fn: (req: express.Request, res: express.Response) => Promise<void>): express.RequestHandler {
  return (req, res) => {
    fn(req, res).catch((err) => sendError(res, err, logger));
  };
}
