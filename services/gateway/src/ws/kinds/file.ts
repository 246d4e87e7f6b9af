import { AppError, fileIdOfUrl, forbidden, notFound } from '@im/protocol';
import { canReadFile } from '../../files/access.js';
import type { Reply, RequestContext } from '../handler.js';
import { finish, issueStore, type Issued, type KindInput } from './store.js';

/**
 * A file event that points at a file uploaded here grants the conversation's members access
 * to it, so the sender must be able to read that file themselves (its uploader, or a
 * member of a conversation it was sent to). Without this, anyone who learnt a file's URL
 * could open it by sending it to a conversation of their own. Other URLs are stored as sent.
 */
export async function fileEvent(ctx: RequestContext, input: KindInput): Promise<Reply> {
  // Checked and sent in the socket's order, like every other stored event.
  return finish(ctx, await ctx.conn.inOrder(() => checkAndIssue(ctx, input)));
}

async function checkAndIssue(ctx: RequestContext, input: KindInput): Promise<Issued> {
  const fileId = fileIdOfUrl(input.tags.find((t) => t[0] === 'url')?.[1] ?? '');
  if (fileId !== undefined) {
    const { file } = await ctx.deps.seaking.call('seaking.getFile', { file_id: fileId }).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'not_found') throw notFound('no such file', 'tags');
      throw err;
    });
    if (!(await canReadFile(ctx.deps, ctx.conn.userId, file))) throw forbidden('you cannot share a file you cannot read', 'tags');
  }
  return issueStore(ctx, input);
}
