export * from './errors.js';
export * from './methods.js';
export * from './caller.js';
export * from './server.js';
export * from './ws-server.js';
export * from './client.js';
export * from './ws-client.js';
export * from './service.js';
