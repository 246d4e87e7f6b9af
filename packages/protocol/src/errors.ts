/** The error codes of the external contract, section 0. Every failure carries one. */
export const ERROR_CODES = [
  'bad_frame',
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'too_large',
  'window_expired',
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  field?: string;
}

const codeSet: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && codeSet.has(value);
}

/**
 * A failure that is safe to show to a client: a stable code, a human sentence and the
 * offending field. Anything that is not an AppError is reported as `internal`.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  /** Seconds after which a retry may succeed (rate limits). */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, field?: string, retryAfter?: number) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }

  toBody(): ErrorBody {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

export const INTERNAL_MESSAGE = 'internal error';

/** The body to send for any thrown value: AppErrors as they are, anything else as `internal`. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) return err.toBody();
  return { code: 'internal', message: INTERNAL_MESSAGE };
}

export const badRequest = (message: string, field?: string) => new AppError('bad_request', message, field);
export const forbidden = (message: string, field?: string) => new AppError('forbidden', message, field);
export const notFound = (message: string, field?: string) => new AppError('not_found', message, field);
export const conflict = (message: string, field?: string) => new AppError('conflict', message, field);
export const tooLarge = (message: string, field?: string) => new AppError('too_large', message, field);
export const unauthorized = (message: string) => new AppError('unauthorized', message);
export const unavailable = (message: string) => new AppError('unavailable', message);
