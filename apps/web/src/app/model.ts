import { batch, signal, type Signal } from '@preact/signals';
import {
  ImClient,
  IndexedDbStore,
  Kind,
  LocalStorageStore,
  type ClientState,
  type CommandResults,
  type ClosedReason,
  type Conversation,
  type ConversationMember,
  type Friend,
  type FriendRequest,
  type Group,
  type ImEvent,
  type ImClientEvents as ImClientEventsOf,
  type ImStore,
  type Notice,
  type Session,
  type TransientEvent,
  type User,
} from '@im/client';
import { applyEvent, applyOwnRead, applyPrefs, mergeConversations, sortConversations } from '../lib/conversations.js';
import { errorText } from '../lib/errors.js';
import { FileTransfer } from './files.js';

export { errorText };

/** What the app knows about a person: their public record and, for friends, the remark. */
export interface Person {
  user_id: string;
  username: string;
  nickname: string;
  avatar: string;
  remark?: string;
}

export type Moment = CommandResults['get_timeline']['moments'][number];

export interface Presence {
  online: boolean;
  last_seen: number | null;
}

export interface Connection {
  state: ClientState;
  closed?: ClosedReason;
  /** When the next attempt starts, while reconnecting. */
  retryAt?: number;
}

export interface Toast {
  id: number;
  text: string;
  tone: 'error' | 'info';
}

/** A message to bring into view once its conversation is open (a search result). */
export interface Focus {
  conversation_id: string;
  event_id: string;
  seq: number;
}

export interface HistoryState {
  /** The lowest seq loaded so far: older pages are asked below it. */
  before?: number;
  hasMore: boolean;
  loading: boolean;
}

const CONVERSATION_PAGE = 30;
const HISTORY_PAGE = 50;
const TYPING_MS = 5000;

type Listener = () => void;

/**
 * The app's state over one ImClient: the conversation list, people, presence, friends,
 * groups, typing and read state, as signals the views read. The SDK does the connection
 * work (reconnect, outbox, gap repair, local view of messages); this class only turns its
 * events into what the screens show, and runs commands with errors shown as toasts.
 */
export class ChatModel {
  readonly client: ImClient;
  readonly me: Signal<User>;
  readonly connection = signal<Connection>({ state: 'disconnected' });
  readonly conversations = signal<Conversation[]>([]);
  readonly conversationsLoaded = signal(false);
  readonly conversationCursor = signal<string | null>(null);
  readonly people = signal<ReadonlyMap<string, Person>>(new Map());
  readonly presence = signal<ReadonlyMap<string, Presence>>(new Map());
  /** conversation → user → until when they are typing. */
  readonly typing = signal<ReadonlyMap<string, ReadonlyMap<string, number>>>(new Map());
  /** In single conversations: the other member's read watermark, as far as seen. */
  readonly peerRead = signal<ReadonlyMap<string, number>>(new Map());
  readonly friends = signal<Friend[]>([]);
  readonly incoming = signal<FriendRequest[]>([]);
  readonly outgoing = signal<FriendRequest[]>([]);
  readonly blocked = signal<string[]>([]);
  readonly groups = signal<Group[]>([]);
  /** Groups as last read one by one (get_groups leaves dissolved ones out; their chats stay). */
  readonly groupInfo = signal<ReadonlyMap<string, Group>>(new Map());
  readonly members = signal<ReadonlyMap<string, ConversationMember[]>>(new Map());
  /** The friends' timeline (contract 5), newest first, and the cursor of the next page. */
  readonly moments = signal<Moment[]>([]);
  readonly momentsCursor = signal<string | null>(null);
  readonly momentsLoaded = signal(false);
  /** Likes and comments on one's own moments since the timeline was last looked at. */
  readonly momentNews = signal(0);
  readonly history = signal<ReadonlyMap<string, HistoryState>>(new Map());
  /** Bumped whenever the local view or the outbox changes: message lists re-read them. */
  readonly viewTick = signal(0);
  readonly toasts = signal<Toast[]>([]);
  /** A message to scroll to and flash, once its conversation shows it. */
  readonly focus = signal<Focus | undefined>(undefined);
  /** Uploads and downloads, with the token in a header. */
  readonly files: FileTransfer;
  /** The conversation on screen, whose messages count as read while the page is visible. */
  openConversation: string | undefined;

  private readonly unsubscribers: Listener[] = [];
  private readonly askedPeople = new Set<string>();
  private toastId = 0;
  private loadedOnce = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    session: Session,
    url: string,
    private readonly onSignedOut: (message?: string) => void,
    private readonly onSession: (s: Session) => void,
  ) {
    this.me = signal(session.user);
    this.client = new ImClient({ url, session, store: storeFor(session.user.user_id) });
    this.files = new FileTransfer(this.client, (text) => this.toast(text));
    this.peerRead.value = loadPeerRead(session.user.user_id);
    this.listen();
  }

  get userId(): string {
    return this.me.value.user_id;
  }

  start(): void {
    void this.client.connect();
    document.addEventListener('visibilitychange', this.onVisible);
    this.unsubscribers.push(() => document.removeEventListener('visibilitychange', this.onVisible));
  }

  /** Stops the client without logging out (the page is being replaced). */
  async dispose(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    clearTimeout(this.refreshTimer);
    await this.client.close();
  }

  async logout(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    await this.client.logout();
    this.onSignedOut();
  }

  // ---- SDK events ---------------------------------------------------------------------

  private listen(): void {
    const c = this.client;
    const on = <K extends keyof ImClientEventsOf>(event: K, fn: (v: ImClientEventsOf[K]) => void) => {
      c.on(event, fn as never);
      this.unsubscribers.push(() => c.off(event, fn as never));
    };
    on('state', (s) => {
      this.connection.value = { state: s.state, ...(s.closed ? { closed: s.closed } : {}) };
      if (s.state === 'open') this.onOpen();
      if (s.state === 'closed' && s.closed && s.closed.reason !== 'client' && s.closed.reason !== 'replaced') {
        for (const u of this.unsubscribers.splice(0)) u();
        this.onSignedOut(closedMessage(s.closed));
      }
    });
    on('retry', (r) => {
      if (this.connection.value.state !== 'open') this.connection.value = { ...this.connection.value, retryAt: Date.now() + r.delay_ms };
    });
    on('session', (s) => {
      this.me.value = s.user;
      this.onSession(s);
    });
    on('event', (e) => this.onEvent(e));
    on('transient', (t) => this.onTransient(t));
    on('notice', (n) => this.onNotice(n));
    on('view', () => this.viewTick.value++);
    on('queued', () => this.viewTick.value++);
    on('sent', () => this.viewTick.value++);
    on('failed', ({ error }) => {
      this.viewTick.value++;
      this.toast(`Message not sent: ${errorText(error)}`);
    });
    on('caught-up', () => this.scheduleRefresh(0));
  }

  private onOpen(): void {
    if (!this.loadedOnce) {
      this.loadedOnce = true;
      void this.loadConversations();
      void this.loadGroups();
    } else {
      // Notices sent while away are not replayed: ask again for what they would have changed.
      void this.loadGroups();
    }
    void this.loadFriends();
    void this.loadRequests();
    void this.loadBlocked();
  }

  private readonly onVisible = () => {
    if (document.visibilityState === 'visible' && this.openConversation) this.markRead(this.openConversation);
  };

  private reading(conversationId: string): boolean {
    return this.openConversation === conversationId && document.visibilityState === 'visible';
  }

  private onEvent(e: ImEvent): void {
    const list = this.conversations.value;
    const i = list.findIndex((c) => c.conversation_id === e.conversation_id);
    if (i < 0) {
      this.scheduleRefresh();
      return;
    }
    const reading = this.reading(e.conversation_id);
    const next = applyEvent(list[i]!, e, { me: this.userId, reading });
    if (next !== list[i]) {
      const copy = [...list];
      copy[i] = next;
      this.conversations.value = sortConversations(copy);
    }
    if (e.sender_id !== this.userId) {
      this.ensurePeople([e.sender_id]);
      this.clearTyping(e.conversation_id, e.sender_id);
      if (reading && (e.kind === Kind.TEXT || e.kind === Kind.FILE || e.kind === Kind.FORWARD)) this.markRead(e.conversation_id);
    }
  }

  private onTransient(t: TransientEvent): void {
    if (t.kind === Kind.TYPING && t.sender_id !== this.userId) {
      this.setTyping(t.conversation_id, t.sender_id, Date.now() + TYPING_MS);
      setTimeout(() => this.expireTyping(), TYPING_MS + 50);
    } else if (t.kind === Kind.READ) {
      const seq = Number(t.content);
      if (!Number.isSafeInteger(seq)) return;
      if (t.sender_id === this.userId) {
        this.conversations.value = this.conversations.value.map((c) => (c.conversation_id === t.conversation_id ? applyOwnRead(c, seq) : c));
      } else if ((this.peerRead.value.get(t.conversation_id) ?? 0) < seq) {
        const next = new Map(this.peerRead.value);
        next.set(t.conversation_id, seq);
        this.peerRead.value = next;
        savePeerRead(this.userId, next);
      }
    }
  }

  private onNotice(n: Notice): void {
    switch (n.type) {
      case 'friend_request':
        void this.loadRequests();
        break;
      case 'friend_accepted':
        void this.loadFriends();
        void this.loadRequests();
        this.scheduleRefresh(0);
        break;
      case 'friend_deleted':
        void this.loadFriends();
        break;
      case 'group_joined':
      case 'group_updated':
        if (n.group && typeof n.group === 'object') this.setGroupInfo(n.group as Group);
        void this.loadGroups();
        this.scheduleRefresh(0);
        break;
      case 'group_dissolved':
        void this.loadGroupInfo(n.group_id as string);
        void this.loadGroups();
        this.scheduleRefresh(0);
        break;
      case 'group_removed': {
        void this.loadGroups();
        const gid = n.group_id as string;
        this.conversations.value = this.conversations.value.filter((c) => c.group_id !== gid);
        break;
      }
      case 'moment_liked':
      case 'moment_commented':
        this.momentNews.value++;
        if (this.momentsLoaded.value) void this.loadTimeline();
        break;
      case 'conversation_prefs':
        if (typeof n.conversation_id === 'string') this.patchConversation(n.conversation_id, { pinned: Boolean(n.pinned), muted: Boolean(n.muted) });
        break;
      case 'event_hidden':
        // The SDK drops it from the view; unread and the last message come from the server.
        this.scheduleRefresh(0);
        break;
      case 'presence': {
        const next = new Map(this.presence.value);
        next.set(n.user_id as string, { online: Boolean(n.online), last_seen: (n.last_seen as number | null) ?? null });
        this.presence.value = next;
        this.friends.value = this.friends.value.map((f) => (f.user_id === n.user_id ? { ...f, online: Boolean(n.online) } : f));
        break;
      }
      default:
        break;
    }
  }

  // ---- typing -------------------------------------------------------------------------

  private setTyping(conversationId: string, userId: string, until: number): void {
    const next = new Map(this.typing.value);
    const users = new Map(next.get(conversationId) ?? []);
    users.set(userId, until);
    next.set(conversationId, users);
    this.typing.value = next;
  }

  private clearTyping(conversationId: string, userId: string): void {
    if (!this.typing.value.get(conversationId)?.has(userId)) return;
    this.setTyping(conversationId, userId, 0);
    this.expireTyping();
  }

  private expireTyping(): void {
    const now = Date.now();
    let changed = false;
    const next = new Map<string, ReadonlyMap<string, number>>();
    for (const [conv, users] of this.typing.value) {
      const left = new Map([...users].filter(([, until]) => until > now));
      if (left.size !== users.size) changed = true;
      if (left.size > 0) next.set(conv, left);
    }
    if (changed) this.typing.value = next;
  }

  /** Who is typing in a conversation now (user ids). */
  typingIn(conversationId: string): string[] {
    const now = Date.now();
    return [...(this.typing.value.get(conversationId) ?? [])].filter(([, until]) => until > now).map(([id]) => id);
  }

  // ---- loading ------------------------------------------------------------------------

  private scheduleRefresh(delay = 150): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.loadConversations(), delay);
  }

  /** The first page again, merged into what is loaded (counts and order from the server). */
  async loadConversations(): Promise<void> {
    const page = await this.quiet(this.client.getConversations({ limit: CONVERSATION_PAGE }));
    if (!page) return;
    batch(() => {
      this.conversations.value = mergeConversations(this.conversations.value, page.conversations);
      if (!this.conversationsLoaded.value) this.conversationCursor.value = page.next_cursor;
      this.conversationsLoaded.value = true;
    });
    this.afterConversations(page.conversations);
  }

  async loadMoreConversations(): Promise<void> {
    const before = this.conversationCursor.value;
    if (!before) return;
    const page = await this.run(this.client.getConversations({ limit: CONVERSATION_PAGE, before }));
    if (!page) return;
    batch(() => {
      this.conversations.value = mergeConversations(this.conversations.value, page.conversations);
      this.conversationCursor.value = page.next_cursor;
    });
    this.afterConversations(page.conversations);
  }

  private afterConversations(list: Conversation[]): void {
    const ids = new Set<string>();
    for (const c of list) {
      if (c.peer_user_id) ids.add(c.peer_user_id);
      if (c.last_event) ids.add(c.last_event.sender_id);
    }
    this.ensurePeople([...ids]);
    void this.loadPresence(list.flatMap((c) => (c.peer_user_id ? [c.peer_user_id] : [])));
    if (this.openConversation) {
      const open = list.find((c) => c.conversation_id === this.openConversation);
      if (open && open.unread > 0) this.markRead(open.conversation_id);
    }
  }

  async loadPresence(userIds: string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += 200) {
      const res = await this.quiet(this.client.getPresence(userIds.slice(i, i + 200)));
      if (!res) return;
      const next = new Map(this.presence.value);
      for (const p of res.presence) next.set(p.user_id, { online: p.online, last_seen: p.last_seen });
      this.presence.value = next;
    }
  }

  async loadFriends(): Promise<void> {
    const res = await this.quiet(this.client.getFriends());
    if (!res) return;
    batch(() => {
      this.friends.value = res.friends;
      this.addPeople(res.friends.map((f) => ({ user_id: f.user_id, username: f.username, nickname: f.nickname, avatar: f.avatar, remark: f.remark })));
      const next = new Map(this.presence.value);
      for (const f of res.friends) if (!next.has(f.user_id)) next.set(f.user_id, { online: f.online, last_seen: null });
      this.presence.value = next;
    });
    void this.loadPresence(res.friends.map((f) => f.user_id));
  }

  async loadRequests(): Promise<void> {
    const [inc, out] = await Promise.all([this.quiet(this.client.getFriendRequests('incoming')), this.quiet(this.client.getFriendRequests('outgoing'))]);
    if (inc) this.incoming.value = inc.requests;
    if (out) this.outgoing.value = out.requests;
    this.ensurePeople([...(inc?.requests ?? []).map((r) => r.from_user_id), ...(out?.requests ?? []).map((r) => r.to_user_id)]);
  }

  async loadBlocked(): Promise<void> {
    const res = await this.quiet(this.client.getBlocked());
    if (!res) return;
    this.blocked.value = res.user_ids;
    this.ensurePeople(res.user_ids);
  }

  async loadGroups(): Promise<void> {
    const res = await this.quiet(this.client.getGroups());
    if (res) this.groups.value = res.groups;
  }

  /** The timeline: the first page again (merged), or the page below `before`. */
  async loadTimeline(before?: string): Promise<void> {
    const page = await this.quiet(this.client.getTimeline({ limit: 20, ...(before ? { before } : {}) }));
    if (!page) return;
    const byId = new Map((before ? this.moments.value : []).map((m) => [m.moment_id, m]));
    for (const m of page.moments) byId.set(m.moment_id, m);
    if (!before) for (const m of this.moments.value) if (!byId.has(m.moment_id) && m.created_at < (page.moments.at(-1)?.created_at ?? 0)) byId.set(m.moment_id, m);
    batch(() => {
      this.moments.value = [...byId.values()].sort((a, b) => b.created_at - a.created_at);
      if (before || !this.momentsLoaded.value) this.momentsCursor.value = page.next_cursor;
      this.momentsLoaded.value = true;
    });
    this.ensurePeople(page.moments.flatMap((m) => [m.user_id, ...m.likes, ...m.comments.map((c) => c.user_id)]));
  }

  async loadGroupInfo(groupId: string): Promise<Group | undefined> {
    const res = await this.quiet(this.client.getGroupInfo(groupId));
    if (res) this.setGroupInfo(res.group);
    return res?.group;
  }

  setGroupInfo(group: Group): void {
    const next = new Map(this.groupInfo.value);
    next.set(group.group_id, group);
    this.groupInfo.value = next;
  }

  async loadMembers(conversationId: string): Promise<ConversationMember[] | undefined> {
    const res = await this.quiet(this.client.getConversationMembers(conversationId));
    if (!res) return undefined;
    const next = new Map(this.members.value);
    next.set(conversationId, res.members);
    this.members.value = next;
    this.ensurePeople(res.members.map((m) => m.user_id));
    return res.members;
  }

  /** Older messages of a conversation into the local view: the newest page first, then below it. */
  async loadHistory(conversationId: string): Promise<void> {
    const h = this.history.value.get(conversationId);
    if (h?.loading || (h && !h.hasMore)) return;
    this.setHistory(conversationId, { ...(h ?? { hasMore: true }), loading: true });
    try {
      // A chat opened while connecting (a reload on it) loads once the client is open.
      if (this.client.state !== 'open') await this.client.ready();
      const page = await this.client.history(conversationId, { limit: HISTORY_PAGE, ...(h?.before !== undefined ? { before_seq: h.before } : {}) });
      const first = page.events[0]?.seq;
      const before = first ?? h?.before;
      this.setHistory(conversationId, { ...(before !== undefined ? { before } : {}), hasMore: page.has_more && (first ?? 1) > 1, loading: false });
      this.ensurePeople(page.events.map((e) => e.sender_id));
    } catch (err) {
      this.setHistory(conversationId, { ...(h ?? { hasMore: true }), loading: false });
      if (this.client.state === 'open') this.toast(errorText(err));
    }
  }

  private setHistory(conversationId: string, state: HistoryState): void {
    const next = new Map(this.history.value);
    next.set(conversationId, state);
    this.history.value = next;
  }

  // ---- people -------------------------------------------------------------------------

  private addPeople(list: Person[]): void {
    const next = new Map(this.people.value);
    for (const p of list) {
      const old = next.get(p.user_id);
      next.set(p.user_id, { ...old, ...p, ...(p.remark === undefined && old?.remark !== undefined ? { remark: old.remark } : {}) });
    }
    this.people.value = next;
  }

  /** Loads the public records of users not known yet (batched, each asked once). */
  ensurePeople(ids: string[]): void {
    const missing = [...new Set(ids)].filter((id) => id && !this.people.value.has(id) && !this.askedPeople.has(id) && id !== this.userId);
    if (missing.length === 0) return;
    for (const id of missing) this.askedPeople.add(id);
    for (let i = 0; i < missing.length; i += 100) {
      const chunk = missing.slice(i, i + 100);
      void this.client.getUserInfo(chunk).then(
        (res) => this.addPeople(res.users),
        () => chunk.forEach((id) => this.askedPeople.delete(id)),
      );
    }
  }

  /** How the app names a user: the remark given, else the nickname, else the username. */
  nameOf(userId: string): string {
    if (userId === this.userId) return this.me.value.nickname || this.me.value.username;
    const p = this.people.value.get(userId);
    return p?.remark || p?.nickname || p?.username || 'Unknown user';
  }

  conversationName(c: Conversation): string {
    if (c.type === 'single' && c.peer_user_id) {
      const p = this.people.value.get(c.peer_user_id);
      return p?.remark || c.name || p?.nickname || p?.username || 'Chat';
    }
    return c.name || 'Group';
  }

  conversation(id: string | undefined): Conversation | undefined {
    return id === undefined ? undefined : this.conversations.value.find((c) => c.conversation_id === id);
  }

  groupOf(c: Conversation | undefined): Group | undefined {
    if (!c?.group_id) return undefined;
    return this.groupInfo.value.get(c.group_id) ?? this.groups.value.find((g) => g.group_id === c.group_id);
  }

  // ---- actions ------------------------------------------------------------------------

  /** Moves the read watermark of a conversation to its newest event. */
  markRead(conversationId: string): void {
    const c = this.conversation(conversationId);
    if (!c || (c.read_seq >= c.max_seq && c.unread === 0) || this.client.state !== 'open') return;
    const seq = c.max_seq;
    this.conversations.value = this.conversations.value.map((x) => (x.conversation_id === conversationId ? { ...x, read_seq: Math.max(x.read_seq, seq), unread: 0 } : x));
    this.client.markRead(conversationId, seq).catch(() => undefined);
  }

  private patchConversation(conversationId: string, prefs: { pinned?: boolean; muted?: boolean }): void {
    this.conversations.value = sortConversations(this.conversations.value.map((c) => (c.conversation_id === conversationId ? applyPrefs(c, prefs) : c)));
  }

  /** Pins or mutes a conversation (set_conversation_prefs); shown at once, put back if refused. */
  async setPrefs(conversationId: string, prefs: { pinned?: boolean; muted?: boolean }): Promise<void> {
    const before = this.conversation(conversationId);
    if (!before) return;
    this.patchConversation(conversationId, prefs);
    const ok = await this.run(this.client.setConversationPrefs(conversationId, prefs));
    if (!ok) this.patchConversation(conversationId, { pinned: before.pinned ?? false, muted: before.muted ?? false });
  }

  /** "Delete for me" (hide_event): the message leaves this user's view on every device. */
  async hide(conversationId: string, eventId: string): Promise<void> {
    const ok = await this.run(this.client.hideEvent(eventId), 'Deleted for you');
    if (ok && this.conversation(conversationId)?.last_event?.id === eventId) this.scheduleRefresh(0);
  }

  /** Opens a conversation at one of its messages (loaded as far back as needed). */
  reveal(focus: Focus): void {
    this.focus.value = focus;
  }

  /** Opens (or finds) the single conversation with a friend; returns its id. */
  async chatWith(userId: string): Promise<string | undefined> {
    const res = await this.run(this.client.createConversation(userId));
    if (!res) return undefined;
    this.conversations.value = mergeConversations(
      this.conversations.value.filter((c) => c.conversation_id !== res.conversation.conversation_id),
      [this.conversation(res.conversation.conversation_id) ?? res.conversation],
    );
    return res.conversation.conversation_id;
  }

  toast(text: string, tone: Toast['tone'] = 'error'): void {
    // One failure can be reported twice (the send's rejection and the outbox's `failed`).
    if (this.toasts.value.some((t) => t.text === text)) return;
    const id = ++this.toastId;
    this.toasts.value = [...this.toasts.value, { id, text, tone }].slice(-4);
    setTimeout(() => this.dismissToast(id), tone === 'error' ? 6000 : 3500);
  }

  dismissToast(id: number): void {
    this.toasts.value = this.toasts.value.filter((t) => t.id !== id);
  }

  /** Runs a command; a refusal is shown as a toast and gives undefined. */
  async run<T>(p: Promise<T>, done?: string): Promise<T | undefined> {
    try {
      const v = await p;
      if (done) this.toast(done, 'info');
      return v;
    } catch (err) {
      this.toast(errorText(err));
      return undefined;
    }
  }

  /** Like run, for loads the app repeats by itself: failures while offline stay quiet. */
  private async quiet<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (err) {
      if (this.client.state === 'open') this.toast(errorText(err));
      return undefined;
    }
  }
}


function closedMessage(c: ClosedReason): string {
  switch (c.reason) {
    case 'revoked':
      return 'You were signed out (this session was ended on another device).';
    case 'refresh_failed':
    case 'unauthorized':
      return 'Your session has expired: please sign in again.';
    default:
      return c.message;
  }
}

function storeFor(userId: string): ImStore {
  // The outbox survives a reload; IndexedDB where the browser has it, else localStorage.
  return typeof indexedDB !== 'undefined' ? new IndexedDbStore(`im-${userId}`) : new LocalStorageStore(`im-${userId}:`);
}

function loadPeerRead(userId: string): Map<string, number> {
  try {
    const raw = localStorage.getItem(`im.peerRead.${userId}`);
    const obj = raw ? (JSON.parse(raw) as Record<string, number>) : {};
    return new Map(Object.entries(obj).filter(([, v]) => Number.isSafeInteger(v)));
  } catch {
    return new Map();
  }
}

function savePeerRead(userId: string, map: ReadonlyMap<string, number>): void {
  try {
    localStorage.setItem(`im.peerRead.${userId}`, JSON.stringify(Object.fromEntries(map)));
  } catch {
    // Full or unavailable storage: read marks are only a hint.
  }
}
