import { readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * CPU priority for the search indexer: indexing is background work, so its thread and its
 * database session run at a nice level and take only the CPU the ack path leaves. Linux
 * only (threads have their own nice level there); elsewhere nothing is changed.
 */

/** What lowering a priority did: `lowered`, or why it was left. */
export type Lowered = { lowered: true; pid: number } | { lowered: false; why: string };

/** Lowers the calling thread's CPU priority (not its process's) to `nice`. */
export function lowerThreadPriority(nice: number): Lowered {
  let tid: number;
  try {
    tid = threadId(readlinkSync('/proc/thread-self'));
  } catch {
    return { lowered: false, why: 'this system does not give threads their own priority' };
  }
  return lower(tid, nice);
}

/** The thread id in a `/proc/thread-self` link (`<pid>/task/<tid>`). */
export function threadId(link: string): number {
  const m = /^\d+\/task\/(\d+)$/.exec(link);
  if (!m) throw new Error(`unexpected /proc/thread-self link: ${link}`);
  return Number(m[1]);
}

/**
 * What the connection's server reports of itself (`pg_backend_pid()`, `inet_client_port()`)
 * and the local port of our socket to it.
 */
export interface Session {
  pid: number;
  /** The client port the server sees; null over a Unix socket. */
  serverSeenPort: number | null;
  localPort: number | undefined;
}

/**
 * Lowers the priority of the server process behind one database connection, only when it
 * is certainly that process on this machine: the connection runs straight to it over TCP
 * (the port the server sees is our socket's own, so no pooler or NAT sits between), and a
 * local process of that pid carries PostgreSQL's title for a client of that port. A remote
 * server's pid names some unrelated local process, which must never be touched.
 */
export function lowerSessionPriority(session: Session, nice: number, title: (pid: number) => string | undefined = processTitle): Lowered {
  const { pid, serverSeenPort, localPort } = session;
  if (serverSeenPort === null || localPort === undefined) return { lowered: false, why: 'the connection is not over TCP' };
  if (serverSeenPort !== localPort) return { lowered: false, why: 'the database is reached through a proxy or another machine' };
  const t = title(pid);
  if (t === undefined || !t.startsWith('postgres') || !t.includes(`(${localPort})`)) return { lowered: false, why: 'the database runs on another machine' };
  return lower(pid, nice);
}

/** A process's command line as `ps` shows it (PostgreSQL sets its backends' titles), or undefined. */
function processTitle(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return undefined;
  }
}

function lower(pid: number, nice: number): Lowered {
  try {
    setPriority(pid, nice);
    return { lowered: true, pid };
  } catch (err) {
    return { lowered: false, why: `not permitted (${(err as { code?: string }).code ?? 'error'})` };
  }
}
