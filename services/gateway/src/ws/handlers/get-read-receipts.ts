import { notFound } from '@im/protocol';
import { access } from '../access.js';
import { handler, result } from '../handler.js';

/**
 * Who has read an event: of the members at that seq (joined before it), those whose read
 * watermark reached it, and the others; one query at the relay whatever the group's size.
 * Members only; a seq the caller cannot read (before their join point, or not yet written)
 * is `not_found`.
 */
export const getReadReceipts = handler('get_read_receipts', async ({ conn, deps }, data) => {
  const { info, joinSeq } = await access(deps, conn.userId, data.conversation_id, 'read');
  if (data.seq <= joinSeq) throw notFound('no event at that seq that you can read', 'seq');
  const members = info.members.filter((m) => m.join_seq < data.seq).map((m) => m.user_id);
  const { read, max_seq } = await deps.relay.call('relay.getReadReceipts', { conversation_id: data.conversation_id, seq: data.seq, user_ids: members });
  if (data.seq > max_seq) throw notFound('no event at that seq', 'seq');
  const readers = new Set(read);
  return result({ read: members.filter((id) => readers.has(id)), unread: members.filter((id) => !readers.has(id)) });
});
