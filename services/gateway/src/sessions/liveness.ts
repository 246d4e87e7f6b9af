import { TickBatcher } from '@im/kit';
import type { SeakingClient } from '../clients/services.js';

/**
 * Whether sessions are still live (not revoked, not unknown), asked of seaking for all the
 * sockets that arrive in one turn at once, and while one such call is under way, for all
 * that arrive meanwhile: a reconnect storm costs a few calls and queries, not one per
 * socket, and a lone socket waits for nothing. The token's signature and expiry are checked
 * here before.
 */
export class SessionLiveness {
  private readonly batcher: TickBatcher<string, boolean>;

  constructor(seaking: SeakingClient) {
    this.batcher = new TickBatcher(async (ids) => {
      const { revoked } = await seaking.call('seaking.checkSessions', { session_ids: ids });
      const gone = new Set(revoked);
      return new Map(ids.map((id) => [id, !gone.has(id)]));
    }, { concurrency: 1 });
  }

  /** Rejects when seaking cannot answer. */
  async isLive(sessionId: string): Promise<boolean> {
    return (await this.batcher.get(sessionId)) === true;
  }
}
