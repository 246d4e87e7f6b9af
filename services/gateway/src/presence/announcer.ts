import { encode } from '@im/codec';
import { TickBatcher, type Logger } from '@im/kit';
import type { SeakingClient } from '../clients/services.js';
import type { Router } from '../routing/router.js';

/**
 * Tells a user's friends when their first socket opens and their last one closes
 * (`presence` notices). Best effort: a failure is logged, never felt by the socket.
 */
const PRESENCE_WINDOW_MS = 10;

export class PresenceAnnouncer {
  /**
   * Friends' ids, asked for all the users who came or went within a few milliseconds at
   * once: sockets closing arrive one per turn, and a presence notice may wait that long.
   */
  private readonly friendsOf: TickBatcher<string, string[]>;

  constructor(
    seaking: SeakingClient,
    private readonly router: Router,
    private readonly logger: Logger,
  ) {
    this.friendsOf = new TickBatcher(async (userIds) => {
      const { friends } = await seaking.call('seaking.getFriendIds', { user_ids: userIds });
      return new Map(Object.entries(friends));
    }, { windowMs: PRESENCE_WINDOW_MS, concurrency: 1 });
  }

  announce(userId: string, online: boolean): void {
    const lastSeen = Date.now();
    this.friendsOf
      .get(userId)
      .then((friends) => {
        if (!friends || friends.length === 0) return;
        const notice = { type: 'presence', user_id: userId, online, last_seen: lastSeen };
        this.router.deliver(friends, encode({ cmd: 'notice', data: notice }));
      })
      .catch((err: Error) => this.logger.warn('presence announcement failed', { user_id: userId, err: err.message }));
  }
}
