import { CloseCode } from '@im/protocol';
import type { Logger } from '@im/kit';
import type { SeakingClient } from '../clients/services.js';
import type { LocalConnections } from '../ws/local-connections.js';

const CHUNK = 1000;

/**
 * Re-checks with seaking that the sessions of this gateway's sockets are still live and
 * closes, with 4003, the sockets of revoked ones. Revocations normally arrive at once as
 * cluster signals; this catches any that were lost (Redis away, a subscription being
 * re-established): run after every resync and periodically.
 */
export class SessionAudit {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly seaking: SeakingClient,
    private readonly local: LocalConnections,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => void this.run(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass over every local socket; a pass already under way is joined, not doubled. */
  run(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const bySession = new Map<string, Array<{ close(code: number, reason: string): void }>>();
    for (const conn of this.local.all()) {
      const list = bySession.get(conn.sessionId);
      if (list) list.push(conn);
      else bySession.set(conn.sessionId, [conn]);
    }
    const ids = [...bySession.keys()];
    let closed = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      try {
        const { revoked } = await this.seaking.call('seaking.checkSessions', { session_ids: ids.slice(i, i + CHUNK) });
        for (const id of revoked) {
          for (const conn of bySession.get(id) ?? []) {
            conn.close(CloseCode.REVOKED, 'session revoked');
            closed++;
          }
        }
      } catch (err) {
        // seaking away: the next pass tries again.
        this.logger.warn('session re-check failed', { err: (err as Error).message });
        return;
      }
    }
    if (closed > 0) this.logger.info('sockets of revoked sessions closed by re-check', { sockets: closed });
  }
}
