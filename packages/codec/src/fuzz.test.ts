import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Encoder } from '@msgpack/msgpack';
import { decodeClientFrame, MAX_DEPTH, nestingDepth } from './index.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const limits = { maxFrameBytes: 65536 };
const bigintEncoder = new Encoder({ useBigInt64: true });

/** Whatever comes back is a frame or a typed failure: never a throw, never a hang. */
function wellFormed(result: ReturnType<typeof decodeClientFrame>): boolean {
  if (result.ok) return typeof result.frame.cmd === 'string' && result.frame.cmd.length > 0;
  return typeof result.message === 'string' && ['too_large', 'undecodable', 'not_a_map', 'bad_cmd', 'bad_id', 'too_deep'].includes(result.reason);
}

/** MessagePack of any value, with extension types, 64-bit integers and odd keys thrown in. */
const msgpackValue = fc.oneof(
  fc.anything({ withBigInt: false, withMap: false, withSet: false, withTypedArray: true, withSparseArray: true, withObjectString: true, withNullPrototype: true, maxDepth: 6 }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.dictionary(fc.oneof(fc.constantFrom('cmd', 'id', 'data', 'constructor', 'toString', '__proto__x', ''), fc.string()), fc.anything({ maxDepth: 3 })),
);

function encodeAny(value: unknown): Uint8Array | undefined {
  try {
    return bigintEncoder.encode(value);
  } catch {
    return undefined; // not representable in MessagePack: nothing to send
  }
}

test('any bytes decode to a frame or a typed failure', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => wellFormed(decodeClientFrame(bytes, limits))),
    { numRuns: RUNS },
  );
});

test('any MessagePack value decodes to a frame or a typed failure', () => {
  fc.assert(
    fc.property(msgpackValue, (value) => {
      const bytes = encodeAny(value);
      return bytes === undefined || wellFormed(decodeClientFrame(bytes, limits));
    }),
    { numRuns: RUNS },
  );
});

test('envelopes around any data: cmd, id and data checked, data never trusted', () => {
  const envelope = fc.record(
    {
      cmd: fc.oneof(fc.constantFrom('ping', 'event', 'sync', 'no_such'), fc.string(), fc.integer(), fc.constant(null)),
      id: fc.oneof(fc.integer(), fc.double(), fc.constant(0), fc.constant(2 ** 32), fc.string(), fc.constant(null)),
      data: msgpackValue,
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(envelope, (frame) => {
      const bytes = encodeAny(frame);
      if (bytes === undefined) return true;
      const r = decodeClientFrame(bytes, limits);
      if (!wellFormed(r)) return false;
      // An accepted frame's id is always a valid request id.
      return !r.ok || r.frame.id === undefined || (Number.isInteger(r.frame.id) && r.frame.id >= 1 && r.frame.id <= 0xffffffff);
    }),
    { numRuns: RUNS },
  );
});

test('truncated and bit-flipped frames of valid commands never throw', () => {
  const base = new Encoder().encode({ cmd: 'event', id: 9, data: { conversation_id: 'c1', kind: 1, content: 'hello', tags: [['mention', 'u1']], cid: 'k1' } });
  fc.assert(
    fc.property(fc.nat({ max: base.length }), fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 }), (cut, at, byte) => {
      const flipped = Uint8Array.from(base);
      flipped[at] = byte;
      return wellFormed(decodeClientFrame(base.subarray(0, cut), limits)) && wellFormed(decodeClientFrame(flipped, limits));
    }),
    { numRuns: RUNS },
  );
});

test('nesting beyond the limit is refused without recursion, at any depth', () => {
  for (const depth of [MAX_DEPTH + 1, 1000, 60_000]) {
    const bytes = Uint8Array.from([0x83, 0xa3, 0x63, 0x6d, 0x64, 0xa4, 0x70, 0x69, 0x6e, 0x67, 0xa2, 0x69, 0x64, 0x01, 0xa4, 0x64, 0x61, 0x74, 0x61, ...new Array(depth).fill(0x91), 0x90]);
    const r = decodeClientFrame(bytes, { maxFrameBytes: 1 << 20 });
    assert.deepEqual([r.ok, !r.ok && r.reason, !r.ok && r.id], [false, 'too_deep', 1]);
  }
  assert.equal(nestingDepth({ a: [{ b: [1] }] }), 4);
  assert.equal(nestingDepth('flat'), 0);
});
