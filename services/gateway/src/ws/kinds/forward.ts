import { AppError, forbidden, notFound } from '@im/protocol';
import { access } from '../access.js';
import type { Reply, RequestContext } from '../handler.js';
import { finish, issueStore, type Issued, type KindInput } from './store.js';

/**
 * A forward may copy only what the sender can read: every source must exist (`not_found`)
 * and lie in a conversation the sender is a member of, above their join point
 * (`forbidden`). The relay then appends a copy of each source.
 */
export async function forwardEvent(ctx: RequestContext, input: KindInput): Promise<Reply> {
  // Checked and sent in the socket's order, like every other stored event.
  return finish(ctx, await ctx.conn.inOrder(() => checkAndIssue(ctx, input)));
}

async function checkAndIssue(ctx: RequestContext, input: KindInput): Promise<Issued> {
  const ids = [...new Set(input.tags.filter((t) => t[0] === 'e').map((t) => t[1]!))];
  const { events } = await ctx.deps.relay.call('relay.getEvents', { event_ids: ids });
  const found = new Map(events.map((e) => [e.id, e]));
  for (const id of ids) {
    const source = found.get(id);
    if (!source) throw notFound(`no such source event ${id}`, 'tags');
    const { joinSeq } = await access(ctx.deps, ctx.conn.userId, source.conversation_id, 'read').catch((err: unknown) => {
      // Refusals of the source's conversation are a refusal of the forward; faults stay faults.
      if (err instanceof AppError && (err.code === 'forbidden' || err.code === 'not_found')) throw forbidden('you cannot read a forwarded source', 'tags');
      throw err;
    });
    if (source.seq <= joinSeq) throw forbidden('you cannot read a forwarded source', 'tags');
  }
  return issueStore(ctx, input);
}
