import type { Db } from '@im/db';
import { AppError, notFound, type FileInfo } from '@im/protocol';
import { newId } from '../../ids.js';
import type { FilesRepository } from './repository.js';

export interface FileQuota {
  /** Per user and UTC day; 0 means no limit. */
  bytes: number;
  files: number;
}

const DAY_MS = 86_400_000;

/**
 * Uploaded files' records and the per-user daily quota (UTC days). An upload is begun
 * (the file count is checked and a pending row reserves a place), streamed to storage by
 * the gateway, then completed (the byte count is checked with the real size) or aborted.
 * Each user's decisions are serialised, so concurrent uploads cannot all slip under a limit.
 */
export class FilesService {
  constructor(
    private readonly db: Db,
    private readonly files: FilesRepository,
    private readonly quota: FileQuota,
    private readonly now: () => number = Date.now,
  ) {}

  private quotaError(what: string, now: number): AppError {
    const retryAfter = Math.max(1, Math.ceil((Math.floor(now / DAY_MS) * DAY_MS + DAY_MS - now) / 1000));
    return new AppError('rate_limited', `daily upload quota reached (${what}); try again tomorrow (UTC)`, undefined, retryAfter);
  }

  async begin(userId: string, name: string, mime: string): Promise<{ file_id: string; remaining_bytes: number }> {
    const now = this.now();
    return this.db.transaction(async (tx) => {
      await this.files.lockOwner(userId, tx);
      const used = await this.files.usage(userId, Math.floor(now / DAY_MS) * DAY_MS, now, tx);
      if (this.quota.files > 0 && used.files >= this.quota.files) throw this.quotaError(`${this.quota.files} files a day`, now);
      if (this.quota.bytes > 0 && used.bytes >= this.quota.bytes) throw this.quotaError(`${this.quota.bytes} bytes a day`, now);
      const fileId = newId('f');
      await this.files.insertPending({ file_id: fileId, owner_id: userId, name, mime, created_at: now }, tx);
      return { file_id: fileId, remaining_bytes: this.quota.bytes > 0 ? this.quota.bytes - used.bytes : Number.MAX_SAFE_INTEGER };
    });
  }

  async complete(userId: string, fileId: string, size: number, sha256: string): Promise<{ file: FileInfo }> {
    const now = this.now();
    return this.db.transaction(async (tx) => {
      await this.files.lockOwner(userId, tx);
      if (!(await this.files.findPending(fileId, userId, tx))) throw notFound('no such upload', 'file_id');
      const used = await this.files.usage(userId, Math.floor(now / DAY_MS) * DAY_MS, now, tx, fileId);
      if (this.quota.bytes > 0 && used.bytes + size > this.quota.bytes) {
        await this.files.deletePending(fileId, userId, tx);
        throw this.quotaError(`${this.quota.bytes} bytes a day`, now);
      }
      return { file: await this.files.markStored(fileId, size, sha256, tx) };
    });
  }

  async abort(userId: string, fileId: string): Promise<Record<string, never>> {
    await this.files.deletePending(fileId, userId);
    return {};
  }

  async get(fileId: string): Promise<{ file: FileInfo }> {
    const file = await this.files.findStored(fileId);
    if (!file) throw notFound('no such file', 'file_id');
    return { file };
  }
}
