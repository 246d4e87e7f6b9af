import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange, FileStore } from './store.js';

/**
 * Files in a folder of the local filesystem, fanned out by the last two characters of the
 * key so no folder grows without bound. A file is written under a temporary name and
 * renamed into place once complete, so a reader never sees a partial one.
 */
export class LocalFileStore implements FileStore {
  constructor(private readonly dir: string) {}

  private pathOf(key: string): string {
    // Keys are server-made file ids; refuse anything else rather than resolve it.
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(key)) throw new Error('invalid file key');
    return path.join(this.dir, key.slice(-2), key);
  }

  async put(key: string, body: Readable): Promise<void> {
    const final = this.pathOf(key);
    await fs.promises.mkdir(path.dirname(final), { recursive: true });
    const partial = `${final}.${crypto.randomBytes(6).toString('hex')}.part`;
    try {
      await pipeline(body, fs.createWriteStream(partial, { flags: 'wx' }));
      await fs.promises.rename(partial, final);
    } catch (err) {
      await fs.promises.rm(partial, { force: true });
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const stream = fs.createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
    // Opening errors (a missing file) surface here rather than mid-response.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(key), { force: true });
  }
}
