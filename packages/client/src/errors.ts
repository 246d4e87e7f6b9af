import { AppError, isErrorCode, type ErrorBody } from '@im/protocol';

/** A failure answered by the server, with the contract's code. */
export class ImError extends AppError {
  constructor(
    body: ErrorBody,
    readonly status?: number,
    retryAfter?: number,
  ) {
    super(isErrorCode(body.code) ? body.code : 'internal', body.message, body.field, retryAfter);
    this.name = 'ImError';
  }
}
