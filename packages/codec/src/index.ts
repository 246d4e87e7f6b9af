import { Decoder, Encoder } from '@msgpack/msgpack';
import { Limits, type ClientFrame } from '@im/protocol';

/**
 * MessagePack framing for the WebSocket protocol. Pure: bytes in, a typed frame or a typed
 * error out; nothing here touches a socket.
 */

export type DecodeFailure = {
  ok: false;
  reason: 'too_large' | 'undecodable' | 'not_a_map' | 'bad_cmd' | 'bad_id' | 'too_deep';
  message: string;
  /** The request id, when it could be read: the error reply carries it. */
  id?: number;
};
export type DecodeResult = { ok: true; frame: ClientFrame } | DecodeFailure;

export interface DecodeLimits {
  maxFrameBytes: number;
}

/** No command needs data nested deeper than this; deeper frames are refused as bad_frame. */
export const MAX_DEPTH = 32;

/**
 * How deeply a decoded value nests, stopping as soon as `limit` is passed: the recursion is
 * never deeper than `limit` + 1 however deep the value (a crafted frame may nest tens of
 * thousands of levels), and nothing is allocated on the way (it runs for every frame).
 */
export function nestingDepth(value: unknown, limit = MAX_DEPTH): number {
  return depthOf(value, 0, limit);
}

function depthOf(v: unknown, depth: number, limit: number): number {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return depth;
  const here = depth + 1;
  if (here > limit) return here;
  let deepest = here;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const c: unknown = v[i];
      if (c !== null && typeof c === 'object') {
        const d = depthOf(c, here, limit);
        if (d > deepest) deepest = d;
        if (deepest > limit) return deepest;
      }
    }
  } else {
    for (const k in v as Record<string, unknown>) {
      const c = (v as Record<string, unknown>)[k];
      if (c !== null && typeof c === 'object') {
        const d = depthOf(c, here, limit);
        if (d > deepest) deepest = d;
        if (deepest > limit) return deepest;
      }
    }
  }
  return deepest;
}

// One encoder for the whole process: encoding a pushed event once and sending the same
// bytes to every recipient is the point of the fan-out path.
const encoder = new Encoder({ ignoreUndefined: true });

function decoderFor(maxFrameBytes: number): Decoder {
  return new Decoder({
    maxStrLength: maxFrameBytes,
    maxBinLength: maxFrameBytes,
    maxArrayLength: maxFrameBytes,
    maxMapLength: maxFrameBytes,
    maxExtLength: maxFrameBytes,
  });
}

const decoders = new Map<number, Decoder>();

export function encode(value: unknown): Uint8Array {
  return encoder.encode(value);
}

export function decode(bytes: Uint8Array, maxBytes: number = Limits.maxFrameBytes): unknown {
  let decoder = decoders.get(maxBytes);
  if (!decoder) {
    decoder = decoderFor(maxBytes);
    decoders.set(maxBytes, decoder);
  }
  return decoder.decode(bytes);
}

function isValidId(id: unknown): id is number {
  return typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= Limits.maxRequestId;
}

/** Decodes one client frame `{cmd, id?, data?}` and checks its envelope. */
export function decodeClientFrame(bytes: Uint8Array, limits: DecodeLimits = { maxFrameBytes: Limits.maxFrameBytes }): DecodeResult {
  if (bytes.byteLength > limits.maxFrameBytes) {
    return { ok: false, reason: 'too_large', message: `frame exceeds ${limits.maxFrameBytes} bytes` };
  }
  let value: unknown;
  try {
    value = decode(bytes, limits.maxFrameBytes);
  } catch {
    return { ok: false, reason: 'undecodable', message: 'frame is not valid MessagePack' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    return { ok: false, reason: 'not_a_map', message: 'frame must be a MessagePack map' };
  }
  const map = value as Record<string, unknown>;
  const id = isValidId(map.id) ? map.id : undefined;
  if (typeof map.cmd !== 'string' || map.cmd === '') {
    return withId({ ok: false, reason: 'bad_cmd', message: 'frame needs a string "cmd"' }, id);
  }
  if (map.id !== undefined && map.id !== null && id === undefined) {
    return { ok: false, reason: 'bad_id', message: 'id must be an integer from 1 to 4294967295' };
  }
  if (nestingDepth(map.data) > MAX_DEPTH) {
    return withId({ ok: false, reason: 'too_deep', message: `data must not nest deeper than ${MAX_DEPTH} levels` }, id);
  }
  const frame: ClientFrame = { cmd: map.cmd };
  if (id !== undefined) frame.id = id;
  if (map.data !== undefined && map.data !== null) frame.data = map.data;
  return { ok: true, frame };
}

function withId(failure: DecodeFailure, id: number | undefined): DecodeFailure {
  if (id !== undefined) failure.id = id;
  return failure;
}
