import { AppError, ERROR_CODES, isErrorCode, type ErrorCode } from '@im/protocol';

/**
 * How contract errors travel inside JSON-RPC (contract section 7): domain failures use
 * -32000..-32099 with `data: {code, field?}`; invalid params use -32602.
 */

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INVALID_PARAMS = -32602;
export const METHOD_NOT_FOUND = -32601;

export interface JsonRpcError {
  code: number;
  message: string;
  data?: { code: ErrorCode; field?: string; retry_after?: number };
}

export function rpcCodeFor(code: ErrorCode): number {
  return -32000 - ERROR_CODES.indexOf(code);
}

export function toJsonRpcError(err: AppError, invalidParams = false): JsonRpcError {
  const data: JsonRpcError['data'] = { code: err.code };
  if (err.field !== undefined) data.field = err.field;
  if (err.retryAfter !== undefined) data.retry_after = err.retryAfter;
  return { code: invalidParams ? INVALID_PARAMS : rpcCodeFor(err.code), message: err.message, data };
}

/** Turns an error object from a response back into the AppError the callee threw. */
export function fromJsonRpcError(error: { code?: unknown; message?: unknown; data?: unknown }): AppError {
  const data = (error.data ?? {}) as { code?: unknown; field?: unknown; retry_after?: unknown };
  const message = typeof error.message === 'string' ? error.message : 'request failed';
  if (isErrorCode(data.code)) {
    return new AppError(
      data.code,
      message,
      typeof data.field === 'string' ? data.field : undefined,
      typeof data.retry_after === 'number' ? data.retry_after : undefined,
    );
  }
  if (error.code === INVALID_PARAMS) return new AppError('bad_request', message);
  return new AppError('internal', 'internal error');
}
