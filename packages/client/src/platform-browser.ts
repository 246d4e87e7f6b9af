import { ImError } from './errors.js';
import type { OpenSocket, WebSocketLike } from './transport.js';

type WebSocketCtor = new (url: string) => WebSocketLike;

/**
 * Browsers use the global WebSocket. They hide a refused upgrade's status (a 401 and a
 * network failure look alike), so the failure carries none and ImClient decides what to
 * do about it; headers cannot be set, so the token travels in the query string.
 */
export const openBrowserSocket: OpenSocket = (url) => {
  const Ctor = (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  if (!Ctor) return Promise.reject(new ImError({ code: 'unavailable', message: 'this environment has no WebSocket' }));
  const ws = new Ctor(url);
  ws.binaryType = 'arraybuffer';
  return new Promise((resolve, reject) => {
    let settled = false;
    ws.addEventListener('open', () => {
      settled = true;
      resolve(ws);
    });
    const fail = () => {
      if (settled) return;
      settled = true;
      reject(new ImError({ code: 'unavailable', message: 'cannot connect' }));
    };
    ws.addEventListener('error', fail);
    ws.addEventListener('close', fail);
  });
};
