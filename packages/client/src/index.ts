// The Node entry point: sockets come from `ws`.
import { openNodeSocket } from './platform-node.js';
import { setOpenSocket } from './transport.js';

setOpenSocket(openNodeSocket);

export * from './core.js';
export { openNodeSocket } from './platform-node.js';
