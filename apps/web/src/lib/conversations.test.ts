import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Conversation, ImEvent } from '@im/client';
import { applyEvent, applyOwnRead, applyPrefs, mergeConversations, sortConversations } from './conversations.js';
import { previewText } from './preview.js';

function conv(id: string, updated_at: number, extra: Partial<Conversation> = {}): Conversation {
  return { conversation_id: id, type: 'single', name: id, max_seq: 0, read_seq: 0, unread: 0, last_event: null, updated_at, pinned: false, muted: false, ...extra };
}

function ev(seq: number, kind: number, extra: Partial<ImEvent> = {}): ImEvent {
  return { id: `e${seq}`, conversation_id: 'c', seq, sender_id: 'bob', kind, content: `m${seq}`, tags: [], cid: `c${seq}`, created_at: 1000 + seq, ...extra };
}

test('pinned conversations first, then newest activity first', () => {
  const list = sortConversations([conv('a', 1), conv('b', 3), conv('c', 2, { pinned: true }), conv('d', 3)]);
  assert.deepEqual(list.map((c) => c.conversation_id), ['c', 'b', 'd', 'a']);
});

test('pages merge by id, the later copy winning', () => {
  const merged = mergeConversations([conv('a', 1), conv('b', 2)], [conv('a', 5), conv('c', 0)]);
  assert.deepEqual(merged.map((c) => [c.conversation_id, c.updated_at]), [['a', 5], ['b', 2], ['c', 0]]);
});

test('a message from someone else becomes the last one and counts as unread', () => {
  const c = applyEvent(conv('c', 0), ev(1, 1), { me: 'me', reading: false });
  assert.equal(c.last_event?.id, 'e1');
  assert.equal(c.unread, 1);
  assert.equal(c.max_seq, 1);
  assert.equal(c.updated_at, 1001);
  const read = applyEvent(c, ev(2, 1), { me: 'me', reading: true });
  assert.equal(read.unread, 0);
  assert.equal(read.read_seq, 2);
  const own = applyEvent(c, ev(2, 1, { sender_id: 'me' }), { me: 'me', reading: false });
  assert.equal(own.unread, 0);
});

test('an older message does not replace the last one; other conversations are untouched', () => {
  const c = conv('c', 0, { last_event: ev(5, 1), max_seq: 5 });
  assert.equal(applyEvent(c, ev(3, 1), { me: 'me', reading: false }).last_event?.id, 'e5');
  const other = conv('x', 0);
  assert.equal(applyEvent(other, ev(1, 1), { me: 'me', reading: false }), other);
});

test('edits, revokes and reactions of the last message update its preview', () => {
  let c = applyEvent(conv('c', 0), ev(1, 1), { me: 'me', reading: false });
  c = applyEvent(c, ev(2, 7, { content: 'fixed', tags: [['e', 'e1']] }), { me: 'me', reading: false });
  assert.equal(c.last_event?.content, 'fixed');
  assert.equal(previewText(c.last_event), 'fixed');
  c = applyEvent(c, ev(3, 5, { content: '', tags: [['e', 'e1']] }), { me: 'me', reading: false });
  assert.equal(previewText(c.last_event), 'Message revoked');
  assert.equal(c.unread, 0, 'a revoked message is not unread');
  assert.equal(c.max_seq, 3);
});

test('a read watermark from another device clears unread once it reaches max_seq', () => {
  const c = conv('c', 0, { max_seq: 4, unread: 3, read_seq: 1 });
  assert.equal(applyOwnRead(c, 3).unread, 3);
  assert.equal(applyOwnRead(c, 4).unread, 0);
  assert.equal(applyOwnRead(c, 1), c);
});

test('previews of files, forwards and long text', () => {
  assert.equal(previewText(ev(1, 3, { content: '', tags: [['url', 'https://x/a.pdf'], ['m', 'application/pdf'], ['size', '3'], ['name', 'a.pdf']] })), '📎 a.pdf');
  assert.equal(previewText(ev(1, 13, { content: 'look', tags: [['src', 'a', '1', 'u', '1', 'x', '[]'], ['src', 'b', '1', 'u', '1', 'y', '[]']] })), '↪ Forwarded (2): look');
  assert.equal(previewText(ev(1, 1, { content: 'a\n\nb' })), 'a b');
  assert.equal(previewText(ev(1, 1, { content: 'x'.repeat(500) })).length, 120);
  assert.equal(previewText(null), '');
});

test('pinning moves a conversation first; preferences change only what is given', () => {
  const list = [conv('a', 3), conv('b', 2), conv('c', 1)];
  const pinned = sortConversations(list.map((c) => (c.conversation_id === 'c' ? applyPrefs(c, { pinned: true }) : c)));
  assert.deepEqual(pinned.map((c) => c.conversation_id), ['c', 'a', 'b']);
  const muted = applyPrefs(pinned[0]!, { muted: true });
  assert.equal(muted.pinned, true);
  assert.equal(muted.muted, true);
  assert.equal(applyPrefs(muted, { muted: true }), muted, 'no change, same object');
});
