import WebSocket from 'ws';
import { ImError } from './errors.js';
import type { OpenSocket, WebSocketLike } from './transport.js';

/**
 * Node's sockets come from `ws`, not from the global WebSocket: Node 20 (our floor) has
 * none without a flag, and only `ws` tells a refused upgrade's HTTP status (401 means
 * "refresh the token", anything else "try again later") and can send an Authorization
 * header instead of putting the token in the URL.
 */
export const openNodeSocket: OpenSocket = (url, options) => {
  const ws = new WebSocket(url, options.headers ? { headers: options.headers } : {});
  ws.binaryType = 'nodebuffer';
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      cleanup();
      reject(new ImError({ code: 'unavailable', message: `cannot connect: ${err.message}` }));
    };
    const onOpen = () => {
      cleanup();
      resolve(ws as unknown as WebSocketLike);
    };
    const onRefused = (_req: unknown, res: { statusCode?: number }) => {
      cleanup();
      ws.terminate();
      const status = res.statusCode ?? 0;
      reject(new ImError({ code: status === 401 ? 'unauthorized' : 'unavailable', message: `upgrade refused: HTTP ${status}` }, status));
    };
    const cleanup = () => {
      ws.off('open', onOpen);
      ws.off('error', onError);
      ws.off('unexpected-response', onRefused);
      // Later errors surface as a close event; an unhandled 'error' would end the process.
      ws.on('error', () => undefined);
    };
    ws.once('open', onOpen);
    ws.once('error', onError);
    ws.once('unexpected-response', onRefused);
  });
};
