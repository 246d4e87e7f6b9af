import crypto from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Raised when more bytes arrive than the upload may hold. */
export class TooManyBytes extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
  }
}

/** Passes bytes through, counting and hashing them; fails the stream past `limit` bytes. */
export class Meter extends Transform {
  bytes = 0;
  /** Set once more than `limit` bytes arrived, however the failure reaches the caller. */
  exceeded = false;
  private readonly hash = crypto.createHash('sha256');

  constructor(readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.exceeded = true;
      done(new TooManyBytes(this.limit));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
