/**
 * What the SDK needs of a WebSocket: the WHATWG interface that browsers ship and that the
 * `ws` package also implements, so one ImSocket runs on both. Each entry point (index.ts for
 * Node, browser.ts for browsers) installs the platform's way of opening one.
 */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly extensions: string;
  binaryType: string;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (ev: never) => void): void;
  /** `ws` only: drop the connection without a closing handshake. */
  terminate?(): void;
}

export const OPEN = 1;
export const CONNECTING = 0;

export interface OpenSocketOptions {
  /** Extra upgrade headers (Node only: a browser cannot set them). */
  headers?: Record<string, string>;
}

/**
 * Opens a socket and settles once it is open or has failed. A refused upgrade rejects with
 * an ImError carrying the HTTP status where the platform can see it (Node); browsers hide
 * it, so there the failure has no status.
 */
export type OpenSocket = (url: string, options: OpenSocketOptions) => Promise<WebSocketLike>;

let platformOpen: OpenSocket | undefined;

/** Installed once by the entry point the app imported. */
export function setOpenSocket(open: OpenSocket): void {
  platformOpen = open;
}

export function defaultOpenSocket(): OpenSocket {
  if (!platformOpen) throw new Error('no WebSocket implementation: import "@im/client" rather than an inner module');
  return platformOpen;
}
