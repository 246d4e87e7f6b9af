import pg from 'pg';
import type { Logger } from '@im/kit';
import { AppError, unavailable } from '@im/protocol';

// BIGINT columns hold seqs and millisecond times, all far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Row = Record<string, unknown>;

/**
 * A statement PostgreSQL parses and plans once per connection and then reuses: for the hot
 * path, where planning would cost more than running. Name it for what it does; a name
 * stands for one text for the life of a connection.
 */
export interface Prepared {
  name: string;
  text: string;
}
export type Queryable = Pick<pg.PoolClient, 'query'>;
/** One connection of a pool, as `DbOptions.onConnect` is given it. */
export type DbConnection = pg.ClientBase;

/** A connection's TCP socket: both ends (undefined over a Unix socket, or where pg keeps it elsewhere). */
export interface SocketEnds {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
}

export function socketOf(client: DbConnection): SocketEnds | undefined {
  const s = (client as unknown as { connection?: { stream?: Partial<SocketEnds> } }).connection?.stream;
  if (typeof s?.localPort !== 'number' || typeof s.localAddress !== 'string' || typeof s.remoteAddress !== 'string') return undefined;
  return { localAddress: s.localAddress, localPort: s.localPort, remoteAddress: s.remoteAddress };
}

/** Codes worth retrying a whole transaction for. */
const RETRYABLE = new Set(['40001', '40P01']);

/** Socket-level failures: the server cannot be reached right now. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** SQLSTATEs of a server that is shutting down, starting up, or out of connections. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);

/**
 * True when a failure means the database cannot be reached right now (down, restarting,
 * out of connections, the connection lost): a retry later is safe, and callers should hear
 * `unavailable`, never `internal` (contract 0).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e) return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (UNREACHABLE.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08')) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|the database system is (starting up|shutting down)/i.test(message);
}

/** How long `DbOptions.onConnect` may hold a new connection back from its first use. */
const PREPARE_MS = 2000;

function prepare(hook: (client: DbConnection) => Promise<void>, client: DbConnection): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, PREPARE_MS)));
  return Promise.race([Promise.resolve().then(() => hook(client)), late])
    .catch(() => undefined)
    .finally(() => clearTimeout(timer));
}

function mapFailure(err: unknown): unknown {
  if (err instanceof AppError) return err;
  return isDatabaseUnavailable(err) ? unavailable('the database is unavailable for a moment; try again') : err;
}

export interface DbOptions {
  url: string;
  logger: Logger;
  max?: number;
  /** Queries slower than this are logged at warn. */
  slowMs?: number;
  applicationName?: string;
  /** Server settings for every connection of the pool (sent at connect, e.g. `{ jit: 'off' }`). */
  settings?: Record<string, string>;
  /**
   * Runs on each new connection before its first use (it may query it). A failure, or a
   * hook that takes over 2 s, is its own to report: the connection is used all the same.
   */
  onConnect?: (client: DbConnection) => Promise<void>;
}

/**
 * The one way to reach PostgreSQL. Every query is logged with its text and duration, never
 * its parameters (they hold user data and secrets).
 */
export class Db {
  readonly pool: pg.Pool;
  private readonly logger: Logger;
  private readonly slowMs: number;

  constructor(options: DbOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.max ?? 10,
      application_name: options.applicationName ?? 'im',
      idleTimeoutMillis: 30000,
      connectionTimeoutMillis: 5000,
      // Prepared statements keep one plan: it is written not to depend on statistics, and
      // replanning it would cost more than running it.
      options: ['-c plan_cache_mode=force_generic_plan', ...Object.entries(options.settings ?? {}).map(([k, v]) => `-c ${k}=${v}`)].join(' '),
      // pg-pool's own hook runs before the connection is handed out (and before the check of
      // a checkout that timed out meanwhile); a rejection would end the connection, so a
      // failure or a hook past its time is let go and the connection used all the same.
      onConnect: options.onConnect && ((client: DbConnection) => prepare(options.onConnect!, client)),
    });
    this.logger = options.logger;
    this.slowMs = options.slowMs ?? 200;
    // A connection that loses its server must not crash the process, whether idle in the
    // pool (the pool re-emits the loss) or checked out between two queries (inside a
    // transaction, say: it has no query to fail, so it reports the loss as an 'error' event,
    // which unheard would end the process; its next query fails as unavailable and the client
    // is destroyed). Each connection's own listener logs it, once.
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => {
      client.on('error', (err) => this.logger.warn('database connection lost', { err: err.message }));
    });
  }

  async query<R extends object = Row>(statement: string | Prepared, params: unknown[] = [], client: Queryable = this.pool): Promise<pg.QueryResult<R & Row>> {
    const started = performance.now();
    const text = typeof statement === 'string' ? statement : statement.text;
    try {
      return typeof statement === 'string'
        ? await client.query<R & Row>(text, params)
        : await client.query<R & Row>({ name: statement.name, text, values: params });
    } catch (err) {
      throw mapFailure(err);
    } finally {
      const ms = performance.now() - started;
      if (ms >= this.slowMs) this.logger.warn('slow query', { sql: oneLine(text), ms: Math.round(ms) });
      else if (this.logger.isDebugEnabled()) this.logger.debug('query', { sql: oneLine(text), ms: Number(ms.toFixed(2)) });
    }
  }

  async rows<R extends object = Row>(statement: string | Prepared, params: unknown[] = [], client?: Queryable): Promise<R[]> {
    return (await this.query<R>(statement, params, client)).rows;
  }

  async one<R extends object = Row>(statement: string | Prepared, params: unknown[] = [], client?: Queryable): Promise<R | undefined> {
    return (await this.query<R>(statement, params, client)).rows[0];
  }

  /**
   * Runs `fn` in one transaction on one client, released in `finally`. Serialization
   * failures and deadlocks retry the whole function a few times.
   */
  /** `begin` may name an isolation level, e.g. `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`. */
  async transaction<T>(fn: (tx: Queryable) => Promise<T>, attempts = 3, begin = 'BEGIN'): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect().catch((err: unknown) => {
        throw mapFailure(err);
      });
      let broken = false;
      try {
        await client.query(begin);
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        broken = isDatabaseUnavailable(err) || (err instanceof AppError && err.code === 'unavailable');
        if (!broken) await client.query('ROLLBACK').catch(() => undefined);
        if (attempt < attempts && RETRYABLE.has((err as { code?: string }).code ?? '')) continue;
        throw mapFailure(err);
      } finally {
        // A client whose connection broke is destroyed, not given back to the pool.
        client.release(broken);
      }
    }
  }

  /**
   * Refreshes the planner's statistics. Run after migrations and periodically: where
   * autovacuum is off (or behind), plans would otherwise rest on guesses.
   */
  async analyze(): Promise<void> {
    await this.query('ANALYZE');
  }

  /** Analyses now and then every `intervalMs`; returns a function that stops it. */
  analyzeEvery(intervalMs: number): () => void {
    if (intervalMs <= 0) return () => undefined;
    const timer = setInterval(() => void this.analyze().catch((err: Error) => this.logger.warn('analyze failed', { err: err.message })), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  async ping(): Promise<boolean> {
    await this.pool.query('SELECT 1');
    return true;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim().slice(0, 300);
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
