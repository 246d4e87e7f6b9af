export * from './ports.js';
export * from './postgres.js';
export * from './redis.js';
export * from './process.js';
export * from './redis-cluster.js';
