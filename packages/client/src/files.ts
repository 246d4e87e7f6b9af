import type { Ack, Tag, UploadedFile } from '@im/protocol';
import type { ImHttp } from './http.js';
import type { ImSocket } from './socket.js';

export interface SendFileOptions {
  name: string;
  mime?: string;
  caption?: string;
  cid?: string;
  /** More tags for the event, e.g. ["dim", "640x480"] or ["duration", "3000"]. */
  tags?: Tag[];
}

/**
 * Uploads a file and sends it to a conversation as a file event, in one call. The upload
 * happens once; resending the event (same `cid`) is safe. Members of the conversation can
 * then download it from `file.url`.
 */
export async function uploadAndSend(
  http: ImHttp,
  socket: ImSocket,
  token: string,
  conversationId: string,
  body: Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: SendFileOptions,
): Promise<{ file: UploadedFile; ack: Ack }> {
  const file = await http.uploadFile(token, body, { name: options.name, ...(options.mime ? { mime: options.mime } : {}) });
  const ack = await socket.sendFile(conversationId, file, {
    name: options.name,
    ...(options.caption !== undefined ? { caption: options.caption } : {}),
    ...(options.cid !== undefined ? { cid: options.cid } : {}),
    ...(options.tags ? { tags: options.tags } : {}),
  });
  return { file, ack };
}
