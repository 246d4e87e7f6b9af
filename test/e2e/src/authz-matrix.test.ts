import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kind, type ImError, type ImSocket } from '@im/client';
import { COMMAND_NAMES, type CommandName, type ErrorCode } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

/** What belongs to the victims: the attacker holds every id but is party to none of it. */
interface World {
  alice: TestUser;
  bob: TestUser;
  carol: TestUser;
  mallory: TestUser;
  /** alice and bob's single conversation, with a message of alice's in it. */
  conv: string;
  message: string;
  /** alice's group with bob, with a message in it. */
  groupId: string;
  groupConv: string;
  groupMessage: string;
  /** carol's pending friend request to alice. */
  requestId: string;
  /** mallory's own conversation with a friend of hers. */
  ownConv: string;
  /** alice's moments: one for friends (bob liked and commented), one private, one public (bob commented). */
  friendsMoment: string;
  privateMoment: string;
  publicMoment: string;
  friendsComment: string;
  publicComment: string;
  /** what mallory must never see of alice. */
  secrets: string[];
  /** alice's uploaded file, sent to her group. */
  fileUrl: string;
}

type Data = (w: World) => unknown;

/**
 * One entry per command: `refused` calls it with the victims' ids and expects one of the
 * codes and no data; `own` is a command that acts only on the caller's own things, and
 * `check` proves nothing of the victims came back or changed.
 */
type Entry =
  | { refused: Data; codes: ErrorCode[]; label?: string }
  | { own: Data; check: (result: unknown, w: World) => void; label?: string };

const REFUSED: ErrorCode[] = ['forbidden', 'not_found'];

const noneOf = (w: World, result: unknown, ...ids: string[]) => {
  const text = JSON.stringify(result);
  for (const id of [...ids, ...w.secrets]) assert.ok(!text.includes(id), `${id} leaked in ${text.slice(0, 200)}`);
};

const event = (conversation: (w: World) => string, kind: number, content: string, tags: (w: World) => string[][] = () => []) => (w: World) => ({
  conversation_id: conversation(w),
  kind,
  content,
  tags: tags(w),
  cid: `authz-${kind}-${Math.random().toString(36).slice(2)}`,
});

/** The matrix. A command missing here fails the test: every new command must say who may use it. */
const MATRIX: Record<CommandName, Entry | Entry[]> = {
  ping: { own: () => undefined, check: (r) => assert.ok((r as { ts: number }).ts > 0) },
  event: [
    { label: 'text into their conversation', refused: event((w) => w.conv, Kind.TEXT, 'intrusion'), codes: ['forbidden'] },
    { label: 'text into their group', refused: event((w) => w.groupConv, Kind.TEXT, 'intrusion'), codes: ['forbidden'] },
    { label: 'a read receipt in their conversation', refused: event((w) => w.conv, Kind.READ, '1'), codes: ['forbidden'] },
    { label: 'typing in their conversation', refused: event((w) => w.conv, Kind.TYPING, ''), codes: ['forbidden'] },
    { label: 'revoking their message', refused: event((w) => w.conv, Kind.REVOKE, '', (w) => [['e', w.message]]), codes: ['forbidden'] },
    { label: 'reacting to their message', refused: event((w) => w.conv, Kind.REACTION, '👍', (w) => [['e', w.message]]), codes: ['forbidden'] },
    { label: 'editing their message from an own conversation', refused: event((w) => w.ownConv, Kind.EDIT, 'x', (w) => [['e', w.message]]), codes: ['bad_request', 'forbidden', 'not_found'] },
    { label: 'revoking their message from an own conversation', refused: event((w) => w.ownConv, Kind.REVOKE, '', (w) => [['e', w.message]]), codes: ['bad_request', 'forbidden', 'not_found'] },
    { label: 'forwarding their message into an own conversation', refused: event((w) => w.ownConv, Kind.FORWARD, '', (w) => [['e', w.message]]), codes: ['forbidden'] },
    { label: 'forwarding their group message', refused: event((w) => w.ownConv, Kind.FORWARD, '', (w) => [['e', w.groupMessage]]), codes: ['forbidden'] },
    {
      label: 'sharing their file into an own conversation',
      refused: event((w) => w.ownConv, Kind.FILE, '', (w) => [['url', w.fileUrl], ['m', 'text/plain'], ['size', '13']]),
      codes: ['forbidden'],
    },
  ],
  sync: [
    { refused: (w) => ({ conversation_id: w.conv }), codes: ['forbidden'] },
    { refused: (w) => ({ conversation_id: w.groupConv, after_seq: 0 }), codes: ['forbidden'] },
  ],
  subscribe: { refused: (w) => ({ conversation_id: w.conv }), codes: ['forbidden'] },
  unsubscribe: { own: (w) => ({ conversation_id: w.conv }), check: (r) => assert.deepEqual(r, {}) },
  get_conversations: { own: () => ({ limit: 500 }), check: (r, w) => noneOf(w, r, w.conv, w.groupConv, w.message) },
  create_conversation: { refused: (w) => ({ peer_user_id: w.alice.userId }), codes: ['forbidden'] },
  get_conversation_members: [
    { refused: (w) => ({ conversation_id: w.conv }), codes: ['forbidden'] },
    { refused: (w) => ({ conversation_id: w.groupConv }), codes: ['forbidden'] },
  ],
  get_friends: { own: () => undefined, check: (r, w) => noneOf(w, r, w.alice.userId, w.bob.userId) },
  send_friend_request: { own: (w) => ({ user_id: w.carol.userId, message: 'hello' }), check: (r, w) => noneOf(w, r, w.requestId) },
  get_friend_requests: [
    { own: () => ({ direction: 'incoming' }), check: (r, w) => noneOf(w, r, w.requestId) },
    { own: () => ({ direction: 'outgoing' }), check: (r, w) => noneOf(w, r, w.requestId) },
  ],
  accept_friend_request: { refused: (w) => ({ request_id: w.requestId }), codes: ['not_found'] },
  reject_friend_request: { refused: (w) => ({ request_id: w.requestId }), codes: ['not_found'] },
  delete_friend: { refused: (w) => ({ user_id: w.alice.userId }), codes: ['not_found'] },
  set_friend_remark: { refused: (w) => ({ user_id: w.alice.userId, remark: 'x' }), codes: ['forbidden'] },
  block_user: { own: (w) => ({ user_id: w.carol.userId }), check: (r) => assert.deepEqual(r, {}) },
  unblock_user: { own: (w) => ({ user_id: w.carol.userId }), check: (r) => assert.deepEqual(r, {}) },
  get_blocked: { own: () => undefined, check: (r, w) => noneOf(w, r, w.alice.userId, w.bob.userId) },
  create_group: { own: () => ({ name: 'mine', member_ids: [] }), check: (r, w) => noneOf(w, r, w.groupId, w.groupConv) },
  get_groups: { own: () => undefined, check: (r, w) => noneOf(w, r, w.groupId, w.groupConv) },
  get_group_info: { refused: (w) => ({ group_id: w.groupId }), codes: ['forbidden'] },
  get_group_members: { refused: (w) => ({ group_id: w.groupId }), codes: ['forbidden'] },
  add_group_members: { refused: (w) => ({ group_id: w.groupId, user_ids: [w.mallory.userId] }), codes: ['forbidden'] },
  remove_group_member: { refused: (w) => ({ group_id: w.groupId, user_id: w.bob.userId }), codes: ['forbidden'] },
  leave_group: { refused: (w) => ({ group_id: w.groupId }), codes: ['forbidden'] },
  update_group: { refused: (w) => ({ group_id: w.groupId, name: 'taken over' }), codes: ['forbidden'] },
  set_group_role: { refused: (w) => ({ group_id: w.groupId, user_id: w.bob.userId, role: 'admin' }), codes: ['forbidden'] },
  transfer_group_owner: { refused: (w) => ({ group_id: w.groupId, user_id: w.mallory.userId }), codes: REFUSED },
  dissolve_group: { refused: (w) => ({ group_id: w.groupId }), codes: ['forbidden'] },
  get_user_info: { own: (w) => ({ user_ids: [w.alice.userId, w.bob.userId] }), check: (r, w) => noneOf(w, r) },
  update_profile: { own: () => ({ nickname: 'Mallory' }), check: (r, w) => assert.equal((r as { user: { user_id: string } }).user.user_id, w.mallory.userId) },
  search_users: { own: (w) => ({ query: w.alice.username }), check: (r, w) => noneOf(w, r) },
  get_presence: { own: (w) => ({ user_ids: [w.alice.userId, w.bob.userId] }), check: (r) => assert.deepEqual(r, { presence: [] }) },
  post_moment: { own: () => ({ content: 'mine', visibility: 'public' }), check: (r, w) => assert.equal((r as { moment: { user_id: string } }).moment.user_id, w.mallory.userId) },
  get_timeline: { own: () => ({ limit: 50 }), check: (r, w) => noneOf(w, r, w.friendsMoment, w.privateMoment, w.publicMoment) },
  // A stranger sees a user's public moments, and only those.
  get_user_moments: {
    own: (w) => ({ user_id: w.alice.userId }),
    check: (r, w) => {
      assert.deepEqual((r as { moments: Array<{ moment_id: string }> }).moments.map((x) => x.moment_id), [w.publicMoment]);
      noneOf(w, r, w.friendsMoment, w.privateMoment, w.friendsComment);
    },
  },
  like_moment: [
    { label: 'their friends-only moment', refused: (w) => ({ moment_id: w.friendsMoment }), codes: ['not_found'] },
    { label: 'their private moment', refused: (w) => ({ moment_id: w.privateMoment }), codes: ['not_found'] },
  ],
  unlike_moment: { label: 'their friends-only moment', refused: (w) => ({ moment_id: w.friendsMoment }), codes: ['not_found'] },
  comment_moment: [
    { label: 'their friends-only moment', refused: (w) => ({ moment_id: w.friendsMoment, content: 'intrusion' }), codes: ['not_found'] },
    { label: 'replying to a comment on a moment hidden from the caller', refused: (w) => ({ moment_id: w.publicMoment, content: 'x', reply_to_comment_id: w.friendsComment }), codes: ['not_found'] },
  ],
  delete_moment: [
    { label: 'their public moment', refused: (w) => ({ moment_id: w.publicMoment }), codes: ['forbidden'] },
    { label: 'their friends-only moment', refused: (w) => ({ moment_id: w.friendsMoment }), codes: ['not_found'] },
  ],
  delete_comment: [
    { label: 'a comment on their public moment', refused: (w) => ({ comment_id: w.publicComment }), codes: ['forbidden'] },
    { label: 'a comment on their friends-only moment', refused: (w) => ({ comment_id: w.friendsComment }), codes: ['not_found'] },
  ],
  search_messages: [
    { label: 'everything readable', own: () => ({ query: 'private' }), check: (r, w) => noneOf(w, r, w.conv, w.groupConv, w.message, w.groupMessage) },
    { label: 'by their sender', own: (w) => ({ query: 'words', sender_id: w.alice.userId }), check: (r, w) => noneOf(w, r, w.conv, w.message) },
    { label: 'in their conversation', refused: (w) => ({ query: 'private', conversation_id: w.conv }), codes: ['forbidden'] },
    { label: 'in their group', refused: (w) => ({ query: 'private', conversation_id: w.groupConv }), codes: ['forbidden'] },
  ],
  get_read_receipts: [
    { refused: (w) => ({ conversation_id: w.conv, seq: 1 }), codes: ['forbidden'] },
    { refused: (w) => ({ conversation_id: w.groupConv, seq: 1 }), codes: ['forbidden'] },
  ],
  hide_event: [
    { refused: (w) => ({ event_id: w.message }), codes: ['not_found'] },
    { refused: (w) => ({ event_id: w.groupMessage }), codes: ['not_found'] },
  ],
  set_conversation_prefs: [
    { refused: (w) => ({ conversation_id: w.conv, pinned: true }), codes: ['forbidden'] },
    { refused: (w) => ({ conversation_id: w.groupConv, muted: true }), codes: ['forbidden'] },
  ],
};

describe('authorization matrix: every command, called with strangers\' ids', () => {
  let cluster: Cluster;
  let w: World;
  let m: ImSocket;
  const sockets: ImSocket[] = [];

  before(async () => {
    cluster = await startCluster();
    const stamp = Date.now().toString(36);
    const aliceEmail = `alice.secret.${stamp}@example.org`;
    const alicePhone = `+1999${Date.now() % 10_000_000}`;
    await cluster.http.register({ username: `alice${stamp}`, password: 'alice password', email: aliceEmail, phone: alicePhone });
    const aliceSession = await cluster.http.login({ username: `alice${stamp}`, password: 'alice password' });
    const alice: TestUser = { session: aliceSession, userId: aliceSession.user.user_id, username: `alice${stamp}`, password: 'alice password', connect: () => Promise.reject(new Error('unused')) };
    const [bob, carol, mallory, dave] = await Promise.all([newUser(cluster, 'bob'), newUser(cluster, 'carol'), newUser(cluster, 'mallory'), newUser(cluster, 'dave')]);
    const { ImSocket } = await import('@im/client');
    const a = await ImSocket.connect(cluster.http.wsUrl(), aliceSession.token);
    const [b, c, d] = await Promise.all([bob!.connect(), carol!.connect(), dave!.connect()]);
    m = await mallory!.connect();
    sockets.push(a, b, c, d, m);
    const conv = await befriend(a, b, bob!.userId);
    const message = (await a.sendText(conv, 'private words')).event_id;
    const { group, conversation_id: groupConv } = await a.request('create_group', { name: 'private group', member_ids: [bob!.userId] });
    const groupMessage = (await a.sendText(groupConv, 'private group words')).event_id;
    const { request_id: requestId } = await c.request('send_friend_request', { user_id: alice.userId, message: 'carol asks' });
    const ownConv = await befriend(m, d, dave!.userId);
    const friendsMoment = (await a.request('post_moment', { content: 'friends-only words', visibility: 'friends' })).moment.moment_id;
    const privateMoment = (await a.request('post_moment', { content: 'private moment words', visibility: 'private' })).moment.moment_id;
    const publicMoment = (await a.request('post_moment', { content: 'for everyone', visibility: 'public' })).moment.moment_id;
    await b.request('like_moment', { moment_id: friendsMoment });
    const friendsComment = (await b.request('comment_moment', { moment_id: friendsMoment, content: 'friends comment words' })).comment.comment_id;
    const publicComment = (await b.request('comment_moment', { moment_id: publicMoment, content: 'bob says' })).comment.comment_id;
    const file = await cluster.http.uploadFile(aliceSession.token, new TextEncoder().encode('private bytes'), { name: 'private.txt', mime: 'text/plain' });
    await a.sendFile(groupConv, file, { name: 'private.txt' });
    w = {
      alice,
      bob: bob!,
      carol: carol!,
      mallory: mallory!,
      conv,
      message,
      groupId: group.group_id,
      groupConv,
      groupMessage,
      requestId,
      ownConv,
      friendsMoment,
      privateMoment,
      publicMoment,
      friendsComment,
      publicComment,
      secrets: [aliceEmail, alicePhone, 'private words', 'private group words', 'friends-only words', 'private moment words', 'friends comment words', file.file_id],
      fileUrl: file.url,
    };
  });

  after(async () => {
    for (const s of sockets) s.terminate();
    await cluster?.stop();
  });

  test('every command has an entry', () => {
    const missing = COMMAND_NAMES.filter((cmd) => !(cmd in MATRIX));
    assert.deepEqual(missing, [], `commands without an authorization entry: ${missing.join(', ')}`);
  });

  for (const cmd of COMMAND_NAMES) {
    const entries = MATRIX[cmd] === undefined ? [] : ([] as Entry[]).concat(MATRIX[cmd]);
    entries.forEach((entry, i) => {
      test(`${cmd}${entry.label ? `: ${entry.label}` : entries.length > 1 ? ` #${i + 1}` : ''}`, async () => {
        if ('refused' in entry) {
          await assert.rejects(
            m.request(cmd, entry.refused(w) as never),
            (e: ImError) => entry.codes.includes(e.code) && e.message.length > 0 && !w.secrets.some((s) => e.message.includes(s)),
            `${cmd} must be refused with ${entry.codes.join(' or ')}`,
          );
        } else {
          entry.check(await m.request(cmd, entry.own(w) as never), w);
        }
      });
    });
  }

  test('their file URL is 404 to a stranger, with the token in the header or the query', async () => {
    const token = w.mallory.session.token;
    const byHeader = await fetch(w.fileUrl, { headers: { authorization: `Bearer ${token}` } });
    const byQuery = await fetch(`${w.fileUrl}?token=${encodeURIComponent(token)}`);
    const ranged = await fetch(w.fileUrl, { headers: { authorization: `Bearer ${token}`, range: 'bytes=0-3' } });
    for (const res of [byHeader, byQuery, ranged]) {
      assert.equal(res.status, 404);
      const body = await res.text();
      assert.ok(!body.includes('private bytes') && !body.includes('private.txt'));
    }
    // The group's member reads it.
    const bobs = await fetch(w.fileUrl, { headers: { authorization: `Bearer ${w.bob.session.token}` } });
    assert.deepEqual([bobs.status, await bobs.text()], [200, 'private bytes']);
  });

  test('afterwards the victims\' things are as they were', async () => {
    const a = sockets[0]!;
    const { members } = await a.request('get_group_members', { group_id: w.groupId });
    assert.deepEqual(members.map((x) => x.user_id).sort(), [w.alice.userId, w.bob.userId].sort());
    const { group } = await a.request('get_group_info', { group_id: w.groupId });
    assert.deepEqual([group.name, group.owner_id, group.dissolved_at], ['private group', w.alice.userId, undefined]);
    const { events } = await a.request('sync', { conversation_id: w.conv });
    assert.deepEqual(events.map((e) => [e.content, e.revoked_at, e.reactions]), [['private words', undefined, undefined]]);
    const { requests } = await a.request('get_friend_requests', { direction: 'incoming' });
    assert.ok(requests.some((r) => r.request_id === w.requestId && r.status === 'pending'));
    const [me] = (await a.request('get_user_info', { user_ids: [w.alice.userId] })).users;
    assert.ok(me!.email && me!.nickname !== 'Mallory');
    const { moments } = await a.request('get_user_moments', { user_id: w.alice.userId });
    assert.deepEqual(
      moments.map((x) => [x.moment_id, x.likes, x.comments.map((c) => c.comment_id)]),
      [
        [w.publicMoment, [], [w.publicComment]],
        [w.privateMoment, [], []],
        [w.friendsMoment, [w.bob.userId], [w.friendsComment]],
      ],
    );
  });
});
