import type { ErrorBody } from './errors.js';

/** A frame from a client: one MessagePack map. */
export interface ClientFrame {
  cmd: string;
  id?: number;
  data?: unknown;
}

export type ServerCmd = 'result' | 'error' | 'ack' | 'pong' | 'event' | 'notice';

export type ServerFrame =
  | { cmd: 'result'; id: number; data: unknown }
  | { cmd: 'error'; id?: number; data: ErrorBody }
  | { cmd: 'ack'; id?: number; data: unknown }
  | { cmd: 'pong'; id?: number; data: { ts: number } }
  | { cmd: 'event'; data: unknown }
  | { cmd: 'notice'; data: { type: string; [key: string]: unknown } };

/** WebSocket close codes of contract section 2. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  POLICY: 1008,
  TOO_BIG: 1009,
  TOKEN_EXPIRED: 4001,
  REPLACED: 4002,
  REVOKED: 4003,
  IDLE: 4008,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
