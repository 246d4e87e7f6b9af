import type { Db, Queryable } from '@im/db';
import type { FileInfo } from '@im/protocol';

export interface Usage {
  files: number;
  bytes: number;
}

/** Pending uploads older than this no longer count: their gateway went away mid-upload. */
export const ABANDONED_AFTER_MS = 3600_000;

export class FilesRepository {
  constructor(private readonly db: Db) {}

  /** Serialises one user's quota decisions until the transaction ends. */
  async lockOwner(userId: string, tx: Queryable): Promise<void> {
    await this.db.query('SELECT 1 FROM users WHERE user_id = $1 FOR UPDATE', [userId], tx);
  }

  /** What a user uploaded since `since`: stored files, and uploads still under way. */
  async usage(userId: string, since: number, now: number, tx: Queryable, except?: string): Promise<Usage> {
    const row = await this.db.one<Usage>(
      `SELECT count(*)::int AS files, COALESCE(sum(size), 0)::bigint AS bytes FROM files
        WHERE owner_id = $1 AND created_at >= $2 AND (status = 'stored' OR created_at > $3) AND file_id <> $4`,
      [userId, since, now - ABANDONED_AFTER_MS, except ?? ''],
      tx,
    );
    return row!;
  }

  async insertPending(f: { file_id: string; owner_id: string; name: string; mime: string; created_at: number }, tx: Queryable): Promise<void> {
    await this.db.query(
      `INSERT INTO files (file_id, owner_id, name, mime, status, created_at) VALUES ($1, $2, $3, $4, 'pending', $5)`,
      [f.file_id, f.owner_id, f.name, f.mime, f.created_at],
      tx,
    );
  }

  async findPending(fileId: string, ownerId: string, tx: Queryable): Promise<{ file_id: string } | undefined> {
    return this.db.one(`SELECT file_id FROM files WHERE file_id = $1 AND owner_id = $2 AND status = 'pending' FOR UPDATE`, [fileId, ownerId], tx);
  }

  async markStored(fileId: string, size: number, sha256: string, tx: Queryable): Promise<FileInfo> {
    const row = await this.db.one<FileInfo>(
      `UPDATE files SET status = 'stored', size = $2, sha256 = $3 WHERE file_id = $1
       RETURNING file_id, owner_id, name, mime, size, sha256, created_at`,
      [fileId, size, sha256],
      tx,
    );
    return row!;
  }

  async deletePending(fileId: string, ownerId: string, tx?: Queryable): Promise<void> {
    await this.db.query(`DELETE FROM files WHERE file_id = $1 AND owner_id = $2 AND status = 'pending'`, [fileId, ownerId], tx);
  }

  async findStored(fileId: string): Promise<FileInfo | undefined> {
    return this.db.one<FileInfo>(
      `SELECT file_id, owner_id, name, mime, size, sha256, created_at FROM files WHERE file_id = $1 AND status = 'stored'`,
      [fileId],
    );
  }
}
