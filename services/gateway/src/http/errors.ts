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

/** Headers a route may have set for the body it meant to send (a file): an error body drops them. */
const BODY_HEADERS = ['Content-Type', 'Content-Length', 'Content-Disposition', 'Content-Range', 'Accept-Ranges', 'ETag', 'Cache-Control'];

export function sendError(res: express.Response, err: unknown, logger: Logger): void {
  // A client that hung up (mid-download) is no fault of ours, and nobody is left to answer;
  // a body under way (a file being streamed) can only be cut off.
  const clientGone = (err as { code?: string } | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
  if (clientGone || res.headersSent) {
    if (!clientGone) logger.warn('http response failed midway', errorFields(err));
    res.destroy();
    return;
  }
  if (!(err instanceof AppError)) logger.error('http request failed', errorFields(err));
  for (const h of BODY_HEADERS) res.removeHeader(h);
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
