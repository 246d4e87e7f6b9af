import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImEvent } from '@im/protocol';
import { LocalView } from './view.js';

let at = 1000;
function ev(seq: number, kind: number, content: string, tags: string[][] = [], sender = 'u1'): ImEvent {
  return { id: `id${seq}`.padEnd(64, '0'), conversation_id: 'c1', seq, sender_id: sender, kind, content, tags, cid: `cid${seq}`, created_at: ++at };
}
const ref = (seq: number) => ['e', `id${seq}`.padEnd(64, '0')];

test('messages are listed in seq order, whatever order they came in', () => {
  const v = new LocalView();
  v.apply(ev(3, 1, 'c'));
  v.apply(ev(1, 1, 'a'));
  v.apply(ev(2, 3, '', [['url', 'u'], ['m', 'image/png'], ['size', '1']]));
  assert.deepEqual(v.messages('c1').map((m) => m.seq), [1, 2, 3]);
  assert.deepEqual(v.messages('other'), []);
});

test('edit, revoke and reactions change the target; the change events are not messages', () => {
  const v = new LocalView();
  v.apply(ev(1, 1, 'hello'));
  const [edited] = v.apply(ev(2, 7, 'hello, world', [ref(1)]));
  assert.equal(edited!.content, 'hello, world');
  assert.ok(edited!.edited_at);
  v.apply(ev(3, 12, '👍', [ref(1)], 'u2'));
  v.apply(ev(4, 12, '👍', [ref(1)], 'u3'));
  v.apply(ev(5, 12, '🎉', [ref(1)], 'u2'));
  assert.deepEqual(v.message(`id1`.padEnd(64, '0'))!.reactions, { '👍': ['u2', 'u3'], '🎉': ['u2'] });
  v.apply(ev(6, 12, '👍', [ref(1), ['remove']], 'u2'));
  v.apply(ev(7, 12, '🎉', [ref(1), ['remove']], 'u2'));
  assert.deepEqual(v.messages('c1')[0]!.reactions, { '👍': ['u3'] });
  const [revoked] = v.apply(ev(8, 5, '', [ref(1)]));
  assert.equal(revoked!.content, '');
  assert.deepEqual(revoked!.tags, []);
  assert.ok(revoked!.revoked_at);
  assert.equal(revoked!.reactions, undefined);
  // Nothing changes a revoked message any more.
  assert.deepEqual(v.apply(ev(9, 12, '👍', [ref(1)], 'u4')), []);
  assert.equal(v.messages('c1').length, 1);
});

test('a change already in a synced snapshot is not applied twice', () => {
  const v = new LocalView();
  // Sync returned message 1 as of max_seq 4: already edited to "v2" and with u2's 👍.
  v.apply({ ...ev(1, 1, 'v2'), edited_at: 5, reactions: { '👍': ['u2'] } }, 4);
  // Replaying the stream's changes 2..4 (edit v1, edit v2, reaction) changes nothing.
  assert.deepEqual(v.apply(ev(2, 7, 'v1', [ref(1)])), []);
  assert.deepEqual(v.apply(ev(3, 7, 'v2', [ref(1)])), []);
  assert.deepEqual(v.apply(ev(4, 12, '👍', [ref(1)], 'u2')), []);
  assert.equal(v.messages('c1')[0]!.content, 'v2');
  // A later change applies.
  assert.equal(v.apply(ev(5, 12, '👍', [ref(1), ['remove']], 'u2'))[0]!.reactions, undefined);
});

test('an older copy never replaces a newer one; snapshots are new objects', () => {
  const v = new LocalView();
  const pushed = ev(1, 1, 'old');
  v.apply(pushed);
  v.apply(ev(2, 7, 'new', [ref(1)]));
  const before = v.messages('c1')[0];
  assert.notEqual(before, pushed);
  assert.deepEqual(v.apply(pushed), []);
  assert.equal(v.messages('c1')[0], before);
});

test('a change to a message outside the view, or in another conversation, is ignored', () => {
  const v = new LocalView();
  v.apply(ev(1, 1, 'x'));
  assert.deepEqual(v.apply(ev(2, 7, 'y', [['e', 'f'.repeat(64)]])), []);
  assert.deepEqual(v.apply({ ...ev(3, 5, '', [ref(1)]), conversation_id: 'c2' }), []);
  assert.equal(v.messages('c1')[0]!.content, 'x');
});

test('the view keeps a bounded number of messages per conversation', () => {
  const v = new LocalView({ maxPerConversation: 3 });
  for (let s = 1; s <= 5; s++) v.apply(ev(s, 1, `m${s}`));
  assert.deepEqual(v.messages('c1').map((m) => m.seq), [3, 4, 5]);
  assert.equal(v.message(`id1`.padEnd(64, '0')), undefined);
  v.remove(`id4`.padEnd(64, '0'));
  assert.deepEqual(v.messages('c1').map((m) => m.seq), [3, 5]);
});
