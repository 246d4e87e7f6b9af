export * from './errors.js';
export * from './http.js';
export * from './socket.js';
export { Kind } from '@im/protocol';
