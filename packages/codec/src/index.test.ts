import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeClientFrame, encode, decode } from './index.js';

// Byte fixtures written out by hand, so the codec is checked against the format itself.
const PING_WITH_ID = Uint8Array.from([0x82, 0xa3, 0x63, 0x6d, 0x64, 0xa4, 0x70, 0x69, 0x6e, 0x67, 0xa2, 0x69, 0x64, 0x07]); // {cmd:"ping",id:7}

test('decodes a hand-written frame', () => {
  const r = decodeClientFrame(PING_WITH_ID);
  assert.deepEqual(r, { ok: true, frame: { cmd: 'ping', id: 7 } });
});

test('round-trips a frame with data', () => {
  const bytes = encode({ cmd: 'event', id: 1, data: { conversation_id: 'c', kind: 1, content: 'hi', cid: 'x' } });
  const r = decodeClientFrame(bytes);
  assert.equal(r.ok, true);
  assert.deepEqual(r.ok && r.frame.data, { conversation_id: 'c', kind: 1, content: 'hi', cid: 'x' });
});

test('refuses garbage, non-maps and bad envelopes', () => {
  assert.equal((decodeClientFrame(Uint8Array.from([0xc1])) as { reason: string }).reason, 'undecodable');
  assert.equal((decodeClientFrame(encode([1, 2])) as { reason: string }).reason, 'not_a_map');
  assert.equal((decodeClientFrame(encode('ping')) as { reason: string }).reason, 'not_a_map');
  assert.equal((decodeClientFrame(encode({ id: 3 })) as { reason: string }).reason, 'bad_cmd');
  assert.equal((decodeClientFrame(encode({ cmd: 5 })) as { reason: string }).reason, 'bad_cmd');
  assert.equal((decodeClientFrame(encode({ cmd: 'ping', id: 0 })) as { reason: string }).reason, 'bad_id');
  assert.equal((decodeClientFrame(encode({ cmd: 'ping', id: 2 ** 32 })) as { reason: string }).reason, 'bad_id');
  assert.equal((decodeClientFrame(encode({ cmd: 'ping', id: 1.5 })) as { reason: string }).reason, 'bad_id');
});

test('keeps the id of a frame whose cmd is bad, so the error can answer it', () => {
  const r = decodeClientFrame(encode({ cmd: 7, id: 9 }));
  assert.deepEqual(r, { ok: false, reason: 'bad_cmd', message: 'frame needs a string "cmd"', id: 9 });
});

test('refuses frames over the byte limit before decoding them', () => {
  const big = encode({ cmd: 'event', data: { content: 'x'.repeat(200) } });
  assert.equal((decodeClientFrame(big, { maxFrameBytes: 100 }) as { reason: string }).reason, 'too_large');
});

test('truncated input is undecodable, not a crash', () => {
  const bytes = encode({ cmd: 'event', data: { content: 'hello' } });
  assert.equal((decodeClientFrame(bytes.subarray(0, bytes.length - 2)) as { reason: string }).reason, 'undecodable');
  assert.deepEqual(decode(encode({ a: 1 })), { a: 1 });
});
