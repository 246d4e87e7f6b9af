import type { Readable } from 'node:stream';

/** A byte range, both ends inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where uploaded bytes live, under the file id. `put` consumes the stream and either stores
 * all of it or, when the stream fails (too large, client gone), leaves nothing behind.
 */
export interface FileStore {
  put(key: string, body: Readable, contentType: string): Promise<void>;
  read(key: string, range?: ByteRange): Promise<Readable>;
  delete(key: string): Promise<void>;
}
