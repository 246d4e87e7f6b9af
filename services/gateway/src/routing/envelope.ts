import { decode, encode } from '@im/codec';
import type { ClusterSignal } from './router.js';

/** What gateways send each other, MessagePack-encoded. Pure: bytes in, a typed value out. */
export type Envelope =
  /** Deliver `b` to these users' sockets on the receiving gateway. */
  | { t: 'd'; u: string[]; b: Uint8Array; s?: string }
  /** Several deliveries made in the same moment, in one message. */
  | { t: 'D'; m: Array<{ u: string[]; b: Uint8Array; s?: string }> }
  /** Close one socket (the per-user limit, decided elsewhere). */
  | { t: 'c'; u: string; i: number; code: number; reason: string }
  /** A signal for every gateway, from gateway `o`. */
  | { t: 's'; o: string; signal: ClusterSignal }
  /**
   * Routes of gateway `o` changed: user `u` got a first socket there (`on`) or lost the
   * last one; or (`re`) its whole list must be read again from Redis.
   */
  | { t: 'r'; o: string; u?: string; on?: boolean; re?: true };

export function encodeEnvelope(e: Envelope): Buffer {
  const bytes = encode(e);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function decodeEnvelope(bytes: Uint8Array): Envelope | undefined {
  try {
    const value = decode(bytes, 64 * 1024 * 1024) as Envelope;
    if (value && (value.t === 'd' || value.t === 'D' || value.t === 'c' || value.t === 's' || value.t === 'r')) return value;
  } catch {
    // A malformed message on our own channel: dropped.
  }
  return undefined;
}
