// The browser entry point: the global WebSocket, and nothing from Node.
import { openBrowserSocket } from './platform-browser.js';
import { setOpenSocket } from './transport.js';

setOpenSocket(openBrowserSocket);

export * from './core.js';
