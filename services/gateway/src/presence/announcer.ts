import { encode } from '@im/codec';
import type { Logger } from '@im/kit';
import type { SeakingClient } from '../clients/services.js';
import type { Router } from '../routing/router.js';

/**
 * Tells a user's friends when their first socket opens and their last one closes
 * (`presence` notices). Best effort: a failure is logged, never felt by the socket.
 */
export class PresenceAnnouncer {
  constructor(
    private readonly seaking: SeakingClient,
    private readonly router: Router,
    private readonly logger: Logger,
  ) {}

  announce(userId: string, online: boolean): void {
    const lastSeen = Date.now();
    this.seaking
      .call('seaking.getFriends', { user_id: userId })
      .then(({ friends }) => {
        if (friends.length === 0) return;
        const notice = { type: 'presence', user_id: userId, online, last_seen: lastSeen };
        this.router.deliver(
          friends.map((f) => f.user_id),
          encode({ cmd: 'notice', data: notice }),
        );
      })
      .catch((err: Error) => this.logger.warn('presence announcement failed', { user_id: userId, err: err.message }));
  }
}
