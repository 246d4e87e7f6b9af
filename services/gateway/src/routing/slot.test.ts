import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slotOf } from './slot.js';

test('slots are CRC16 of the hash tag, as Redis Cluster computes them', () => {
  // The check value of CRC16/XMODEM, and values CLUSTER KEYSLOT gives.
  assert.equal(slotOf('123456789'), 0x31c3);
  assert.equal(slotOf('foo'), 12182);
  assert.equal(slotOf('im:{u:42}:conns'), slotOf('u:42'));
  assert.equal(slotOf('im:{u:42}:seen'), slotOf('other:{u:42}'));
  // An empty tag is no tag: the whole name counts.
  assert.equal(slotOf('a{}b'), slotOf('a{}b'));
  assert.notEqual(slotOf('a{}b'), slotOf(''));
});
