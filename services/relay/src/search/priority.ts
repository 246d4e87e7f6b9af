import { readFileSync, readlinkSync } from 'node:fs';
import { getPriority, networkInterfaces, setPriority } from 'node:os';

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
 * One database session as both ends see it: what its server reports (`pg_backend_pid()`,
 * `inet_client_addr()`, `inet_client_port()`, `inet_server_addr()`; the addresses and
 * port are null over a Unix socket) and our socket to it (undefined where unknown).
 */
export interface Session {
  pid: number;
  serverSeenAddress: string | null;
  serverSeenPort: number | null;
  serverAddress: string | null;
  socket: { localAddress: string; localPort: number; remoteAddress: string } | undefined;
}

/**
 * Lowers the priority of the server process behind one database session, only when it is
 * certainly that process on this machine: the session runs over TCP straight to it (the
 * server sees our socket's own address and port, so no pooler or NAT sits between), the
 * server's address is one of this machine's, and a local process of that pid carries
 * PostgreSQL's title for a client of that port. A remote server's pid names some unrelated
 * local process, which must never be touched.
 */
export function lowerSessionPriority(
  session: Session,
  nice: number,
  title: (pid: number) => string | undefined = processTitle,
  local: ReadonlySet<string> = localAddresses(),
): Lowered {
  const { pid, serverSeenAddress, serverSeenPort, serverAddress, socket } = session;
  if (!socket || serverSeenPort === null || serverSeenAddress === null || serverAddress === null) return { lowered: false, why: 'the session is not over TCP' };
  if (serverSeenPort !== socket.localPort || bare(serverSeenAddress) !== bare(socket.localAddress) || bare(serverAddress) !== bare(socket.remoteAddress)) {
    return { lowered: false, why: 'the database is reached through a proxy or a translated address' };
  }
  if (!local.has(bare(serverAddress))) return { lowered: false, why: 'the database runs on another machine' };
  const t = title(pid);
  if (t === undefined || !t.startsWith('postgres') || !t.includes(`(${socket.localPort})`)) {
    return { lowered: false, why: "the database's processes are not visible here (another container or PID namespace)" };
  }
  return lower(pid, nice);
}

/** An address without an IPv4-mapped prefix or a CIDR suffix (PostgreSQL's inet text may carry one). */
function bare(address: string): string {
  return address.replace(/\/\d+$/, '').replace(/^::ffff:(?=\d+\.)/i, '');
}

/** This machine's addresses. */
function localAddresses(): Set<string> {
  return new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((i) => bare(i!.address)),
  );
}

/** A process's command line as `ps` shows it (PostgreSQL sets its backends' titles), or undefined. */
function processTitle(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return undefined;
  }
}

/** Sets `nice` where it is lower than the task's priority now (never raises one). */
function lower(pid: number, nice: number): Lowered {
  try {
    if (getPriority(pid) < nice) setPriority(pid, nice);
    return { lowered: true, pid };
  } catch (err) {
    return { lowered: false, why: `not permitted (${(err as { code?: string }).code ?? 'error'})` };
  }
}
