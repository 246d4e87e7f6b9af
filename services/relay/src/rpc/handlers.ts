import type { Handlers } from '@im/rpc';
import { Kind, type RelayParams, type RelayResults } from '@im/protocol';
import type { EventsService } from '../events/service.js';
import type { SearchService } from '../search/service.js';

/** The JSON-RPC surface: one line per method, params already validated. */
export function relayHandlers(events: EventsService, search: SearchService): Handlers<typeof RelayParams, RelayResults> {
  return {
    'relay.storeEvent': (p) => events.store(p),
    'relay.getEvent': (p) => events.get(p.event_id),
    'relay.syncEvents': (p) => events.sync(p),
    'relay.queryEvents': (p) => events.query(p),
    'relay.getConversationStates': (p) => events.states(p.user_id, p.conversations),
    'relay.rankConversations': (p) => events.rank(p),
    'relay.getEvents': (p) => events.getMany(p.event_ids),
    'relay.updateReadReceipt': (p) => events.updateReadReceipt(p.user_id, p.conversation_id, p.seq, p.min_seq),
    'relay.validateRevoke': (p) => events.validate(Kind.REVOKE, p.sender_id, p.conversation_id, p.target_id),
    'relay.validateEdit': (p) => events.validate(Kind.EDIT, p.sender_id, p.conversation_id, p.target_id),
    'relay.searchEvents': (p) => search.run(p),
    'relay.hideEvent': (p) => events.hide(p.user_id, p.conversation_id, p.seq),
    'relay.getReadReceipts': (p) => events.readReceipts(p.conversation_id, p.seq, p.user_ids),
    'relay.findFileReference': (p) => events.fileReferenced(p.file_id, p.conversations),
  };
}
