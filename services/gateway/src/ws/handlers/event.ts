import { AppError, checkEventShape, Kind } from '@im/protocol';
import { handler, type Reply } from '../handler.js';
import { fileEvent } from '../kinds/file.js';
import { forwardEvent } from '../kinds/forward.js';
import { readEvent } from '../kinds/read.js';
import { storeEvent } from '../kinds/store.js';
import { typingEvent } from '../kinds/typing.js';

/**
 * Every kind arrives here: rate limit, shape check, then the kind's own path. Stored kinds
 * go to the relay (acked after commit), read receipts move a watermark, typing is relayed
 * and forgotten.
 */
export const event = handler('event', async (ctx, data): Promise<Reply> => {
  if (!ctx.conn.allowEvent(Date.now())) throw new AppError('rate_limited', 'too many events; slow down');
  const input = { ...data, tags: data.tags ?? [] };
  checkEventShape(input);
  switch (input.kind) {
    case Kind.READ:
      return readEvent(ctx, input);
    case Kind.TYPING:
      return typingEvent(ctx, input);
    case Kind.FORWARD:
      return forwardEvent(ctx, input);
    case Kind.FILE:
      return fileEvent(ctx, input);
    default:
      return storeEvent(ctx, input);
  }
});
