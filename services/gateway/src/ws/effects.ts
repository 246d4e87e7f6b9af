import { encode } from '@im/codec';
import type { Effects } from '@im/protocol';
import type { GatewayDeps } from './handler.js';

/** Carries out what a seaking change asks for: notices to the users concerned, cache drops. */
export function applyEffects(deps: GatewayDeps, effects: Effects): void {
  if (effects.conversations.length > 0) {
    deps.router.broadcast({ type: 'invalidate_conversations', conversation_ids: effects.conversations });
  }
  for (const delivery of effects.notices) {
    deps.router.deliver(delivery.user_ids, encode({ cmd: 'notice', data: delivery.notice }));
  }
}
