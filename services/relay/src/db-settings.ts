/**
 * Server settings for every connection of the relay's pool.
 *
 * - `jit=off`: short statements only; JIT compilation would cost more than running them.
 *   Search's per-conversation probes carry cost estimates (unknown keys) that would pass the
 *   JIT threshold and spend a second compiling a query that runs in milliseconds.
 * - `enable_seqscan=off`: every statement of the relay is meant to reach rows through an
 *   index. A fresh database is analysed while its tables are empty and nothing analyses it
 *   again for an hour (autovacuum may not run at all); with statistics that say "empty" the
 *   planner prefers a sequential scan, and the store statement's generic plan, kept for the
 *   connection's life, would then read the whole idempotency table on every store. With
 *   this setting a sequential scan is chosen only where no index serves the query.
 */
export const RELAY_DB_SETTINGS: Record<string, string> = { jit: 'off', enable_seqscan: 'off' };
