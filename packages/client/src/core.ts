export * from './errors.js';
export * from './emitter.js';
export * from './http.js';
export * from './socket.js';
export * from './transport.js';
export { Kind, CloseCode } from '@im/protocol';
