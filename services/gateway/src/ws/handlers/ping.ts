import { handler } from '../handler.js';

export const ping = handler('ping', async () => ({ cmd: 'pong', data: { ts: Date.now() } }));
