import { encode } from '@im/codec';
import {
  AppError,
  checkEventShape,
  CloseCode,
  isPersistedKind,
  Kind,
  Limits,
  type Ack,
  type CommandData,
  type CommandName,
  type CommandResults,
  type ImEvent,
  type Notice,
  type Session,
  type Tag,
  type TransientEvent,
  type UploadedFile,
} from '@im/protocol';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { ImCommands } from './commands-api.js';
import { Emitter } from './emitter.js';
import { ImError } from './errors.js';
import { ImHttp } from './http.js';
import { Outbox } from './outbox.js';
import { SeqStream } from './seq-stream.js';
import { ImSocket, newCid, type CloseInfo } from './socket.js';
import { MemoryStore, type ImStore, type OutboxEntry } from './store.js';
import type { OpenSocket } from './transport.js';
import { LocalView, type ViewMessage, type ViewOptions } from './view.js';

/** The connection states of ImClient; README "ImClient state machine" is their spec. */
export type ClientState = 'disconnected' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Why a client reached `closed`. Only `close()` / `logout()`, 4002, 4003 and a refused session end it. */
export interface ClosedReason {
  reason: 'client' | 'replaced' | 'revoked' | 'refresh_failed' | 'unauthorized';
  message: string;
  /** The WebSocket close code that ended it, when one did. */
  code?: number;
  error?: ImError;
}

export interface StateChange {
  state: ClientState;
  previous: ClientState;
  /** With `closed`: why. */
  closed?: ClosedReason;
  /** With `reconnecting`: the close code of the socket that was lost (1006 when dropped). */
  code?: number;
}

export interface RetryInfo {
  /** Attempts since the connection was last stable, counting from 0. */
  attempt: number;
  delay_ms: number;
  /** The gateway the next attempt goes to. */
  url: string;
  error?: ImError;
}

export interface ImClientEvents {
  state: StateChange;
  /** Each stored event once, in seq order per conversation, own sends included. */
  event: ImEvent;
  /** Read receipts (kind 10) and typing (kind 11) in their short form: not stored, no seq. */
  transient: TransientEvent;
  notice: Notice;
  /** Messages of the local view whose state changed (new, edited, revoked, reacted, hidden). */
  view: { conversation_id: string; messages: ViewMessage[]; removed?: string[] };
  /** New tokens after a refresh: persist them to resume later. */
  session: Session;
  /** An event entered the outbox. */
  queued: OutboxEntry;
  /** An outbox entry was acknowledged (also entries restored from an earlier run). */
  sent: { entry: OutboxEntry; ack: Ack };
  /** An outbox entry was refused for good (forbidden, too_large, …) and dropped. */
  failed: { entry: OutboxEntry; error: ImError };
  /** A catch-up after opening finished: every conversation is synced up to its max_seq of then. */
  'caught-up': { conversations: number };
  /** The next connection attempt is scheduled. */
  retry: RetryInfo;
  /** A problem the client works around by itself (a sync or store failure); for logs. */
  error: { error: unknown; context: string };
  /** What an app listener threw: caught, so the client keeps working. */
  'listener-error': unknown;
}

export interface ImClientOptions {
  /** Gateway base URL(s), `http(s)://host:port`; after a failure the next one is tried. */
  url: string | string[];
  /** What login, loginWithCode or refresh returned (or a persisted copy of it). */
  session: Session;
  /** Outbox and cursor persistence (default: memory). */
  store?: ImStore;
  /** Reconnect delays (full jitter; defaults 500 ms doubling up to 30 s). */
  backoff?: BackoffOptions;
  /** Refresh this long before `expires_at` (default 30 s, at most half the token's life); 0 refreshes only on 4001. */
  refreshBeforeExpiryMs?: number;
  /** How long a request waits for its reply (default 15 s). */
  requestTimeoutMs?: number;
  /** Messages kept per conversation in the local view. */
  view?: ViewOptions;
  /** Conversations synced at once while catching up (default 4). */
  syncConcurrency?: number;
  /** Node only: send the token in an Authorization header rather than the URL. */
  useHeader?: boolean;
  /** How to open WebSockets; the platform's own by default. */
  openSocket?: OpenSocket;
}

/** What `send` takes: an event of a stored kind. */
export interface SendInput {
  conversation_id: string;
  kind: number;
  content: string;
  tags?: Tag[];
  /** The client id; one is made when absent. Reusing one resends that event. */
  cid?: string;
}

const SYNC_PAGE = Limits.syncMaxLimit;
/** A connection that lived this long was stable: the next loss starts backoff from scratch. */
const STABLE_MS = 5000;
/** Codes that end the client instead of reconnecting. */
const FINAL_CODES: ReadonlyMap<number, ClosedReason['reason']> = new Map([
  [CloseCode.REPLACED, 'replaced'],
  [CloseCode.REVOKED, 'revoked'],
]);
/** Refusals worth retrying: nothing was stored, and a later try may pass. */
const RETRYABLE = new Set(['unavailable', 'rate_limited']);

function asImError(err: unknown, fallback = 'unavailable'): ImError {
  if (err instanceof ImError) return err;
  if (err instanceof AppError) return new ImError({ code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
  return new ImError({ code: fallback as 'unavailable', message: err instanceof Error ? err.message : String(err) });
}

/**
 * A connection to the cluster that keeps itself up: it reconnects with backoff (trying the
 * next gateway), refreshes its token, resends unacknowledged events, repairs gaps with
 * `sync`, and keeps a local view of messages. See README "ImClient" for the full spec.
 */
export class ImClient extends ImCommands {
  readonly view: LocalView;
  private readonly emitter: Emitter<ImClientEvents>;
  private readonly urls: string[];
  private readonly store: ImStore;
  private readonly outbox: Outbox;
  private readonly streams = new Map<string, SeqStream<ImEvent>>();
  private readonly subscriptions = new Set<string>();
  private session: Session;
  private sessionReceivedAt = Date.now();
  private current: ClientState = 'disconnected';
  private closedReason: ClosedReason | undefined;
  private socket: ImSocket | undefined;
  /** The token the current socket opened with. */
  private socketToken: string | undefined;
  private openedAt = 0;
  private attempt = 0;
  private urlIndex = 0;
  private generation = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<'ok' | 'rejected' | 'unreachable'> | undefined;
  /** A refresh was tried since the last socket opened: a second refusal ends the client. */
  private refreshedSinceOpen = false;
  private failedOpens = 0;
  private started: Promise<void> | undefined;
  private savedCursors: Record<string, number> = {};
  private caughtUp = false;
  private parked: ImEvent[] = [];
  private readonly inflight = new Map<string, ImSocket>();
  private lastQueuedAt = 0;
  private sendRetryTimer: ReturnType<typeof setTimeout> | undefined;
  private sendRetries = 0;
  private readonly syncing = new Map<string, { again: boolean }>();
  private readonly syncQueue: string[] = [];
  private syncRunning = 0;
  private dirtyCursors: Record<string, number> = {};
  private cursorWrite: Promise<void> | undefined;
  private readonly options: ImClientOptions;

  constructor(options: ImClientOptions) {
    super();
    this.options = options;
    this.urls = (Array.isArray(options.url) ? options.url : [options.url]).map((u) => u.replace(/\/+$/, ''));
    if (this.urls.length === 0) throw new Error('ImClient needs at least one gateway url');
    this.session = options.session;
    this.store = options.store ?? new MemoryStore();
    this.outbox = new Outbox(this.store);
    this.view = new LocalView(options.view);
    this.emitter = new Emitter<ImClientEvents>((err, event) => {
      if (event !== 'listener-error' && this.emitter.listenerCount('listener-error') > 0) this.emitter.emit('listener-error', err);
      else console.error(`an ImClient "${String(event)}" listener threw`, err);
    });
  }

  // ---- events -------------------------------------------------------------------------

  on<K extends keyof ImClientEvents>(event: K, listener: (value: ImClientEvents[K]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  off<K extends keyof ImClientEvents>(event: K, listener: (value: ImClientEvents[K]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  once<K extends keyof ImClientEvents>(event: K, listener: (value: ImClientEvents[K]) => void): this {
    this.emitter.once(event, listener);
    return this;
  }

  // ---- state --------------------------------------------------------------------------

  get state(): ClientState {
    return this.current;
  }

  /** Why the client is `closed`, once it is. */
  get closeReason(): ClosedReason | undefined {
    return this.closedReason;
  }

  /** The signed-in user. */
  get userId(): string {
    return this.session.user.user_id;
  }

  /** The tokens in use (they change on refresh; the `session` event says when). */
  get currentSession(): Session {
    return this.session;
  }

  /** The gateway in use, or the one the next attempt goes to. */
  get url(): string {
    return this.urls[this.urlIndex]!;
  }

  /** An HTTP client for the gateway in use (login, files, …). */
  get http(): ImHttp {
    return new ImHttp(this.url);
  }

  /** The highest seq delivered to the app per conversation. */
  cursors(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, s] of this.streams) out[id] = s.delivered;
    return out;
  }

  /** Events queued and not yet acknowledged, oldest first (to show as "sending"). */
  pending(conversationId?: string): OutboxEntry[] {
    const all = this.outbox.list();
    return conversationId === undefined ? all : all.filter((e) => e.conversation_id === conversationId);
  }

  private setState(state: ClientState, extra: Partial<StateChange> = {}): void {
    if (state === this.current) return;
    const previous = this.current;
    this.current = state;
    this.emitter.emit('state', { state, previous, ...extra });
  }

  /**
   * Starts connecting (from `disconnected`, or again from `closed`). Resolves once the
   * stored outbox and cursors are loaded; use `ready()` to wait for `open`.
   */
  connect(): Promise<void> {
    if (this.current !== 'disconnected' && this.current !== 'closed') return this.started ?? Promise.resolve();
    this.closedReason = undefined;
    this.attempt = 0;
    this.refreshedSinceOpen = false;
    this.failedOpens = 0;
    this.setState('connecting');
    this.started = this.loadStore().then(() => {
      if (this.current === 'connecting') this.openSocket();
    });
    return this.started;
  }

  /** Resolves when the client is open (at once if it is); rejects if it closes first. */
  ready(): Promise<void> {
    if (this.current === 'open') return Promise.resolve();
    if (this.current === 'closed') return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      const onState = (s: StateChange) => {
        if (s.state === 'open') {
          this.off('state', onState);
          resolve();
        } else if (s.state === 'closed') {
          this.off('state', onState);
          reject(this.closedError());
        }
      };
      this.on('state', onState);
    });
  }

  private closedError(): ImError {
    const r = this.closedReason;
    return r?.error ?? new ImError({ code: r?.reason === 'client' || !r ? 'unavailable' : 'unauthorized', message: r?.message ?? 'client closed' });
  }

  /** Stops for good (until `connect()`): no reconnect; waiting sends reject, their entries stay stored. */
  async close(): Promise<void> {
    this.finish({ reason: 'client', message: 'closed by the app' });
    await this.flushCursors();
  }

  /** Ends the session on the server, forgets the stored outbox and cursors, and closes. */
  async logout(): Promise<void> {
    await new ImHttp(this.url).logout(this.session.token).catch(() => undefined);
    this.finish({ reason: 'client', message: 'logged out' });
    this.dirtyCursors = {};
    await this.store.clear();
  }

  private finish(reason: ClosedReason): void {
    if (this.current === 'closed') return;
    this.closedReason = reason;
    this.generation++;
    this.clearTimers();
    const sock = this.socket;
    this.socket = undefined;
    this.inflight.clear();
    sock?.close(1000, 'client closing').catch(() => undefined);
    this.outbox.rejectAll(new ImError({ code: 'unavailable', message: `client closed: ${reason.message}` }));
    this.setState('closed', { closed: reason });
  }

  private clearTimers(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.refreshTimer);
    clearTimeout(this.sendRetryTimer);
    this.retryTimer = this.refreshTimer = this.sendRetryTimer = undefined;
  }

  private async loadStore(): Promise<void> {
    try {
      this.savedCursors = await this.store.loadCursors();
      for (const [id, seq] of Object.entries(this.savedCursors)) if (!this.streams.has(id)) this.streams.set(id, new SeqStream(seq));
      for (const e of await this.outbox.restore()) this.lastQueuedAt = Math.max(this.lastQueuedAt, e.queued_at);
    } catch (err) {
      this.emitter.emit('error', { error: err, context: 'loading the store' });
    }
  }

  // ---- connecting ---------------------------------------------------------------------

  private wsUrl(): string {
    return new ImHttp(this.url).wsUrl();
  }

  private openSocket(): void {
    const gen = ++this.generation;
    const token = this.session.token;
    ImSocket.connect(this.wsUrl(), token, {
      ...(this.options.useHeader ? { useHeader: true } : {}),
      ...(this.options.requestTimeoutMs ? { requestTimeoutMs: this.options.requestTimeoutMs } : {}),
      ...(this.options.openSocket ? { openSocket: this.options.openSocket } : {}),
    }).then(
      (sock) => {
        if (gen !== this.generation || this.current === 'closed') {
          sock.close(1000).catch(() => undefined);
          return;
        }
        this.onOpen(sock, token);
      },
      (err: unknown) => {
        if (gen !== this.generation || this.current === 'closed') return;
        void this.onOpenFailed(asImError(err));
      },
    );
  }

  private async onOpenFailed(err: ImError): Promise<void> {
    this.failedOpens++;
    // 401 at the upgrade: the token is expired or revoked. Browsers hide the status, so
    // there a second failed open in a row is treated the same way, once per outage.
    const refused = err.status === 401 || (err.status === undefined && this.failedOpens >= 2 && !this.refreshedSinceOpen);
    if (refused) {
      if (this.refreshedSinceOpen && err.status === 401) {
        this.finish({ reason: 'unauthorized', message: 'the server refused the session', error: err });
        return;
      }
      this.refreshedSinceOpen = true;
      const outcome = await this.refreshTokens();
      if (this.current === 'closed') return;
      if (outcome === 'rejected') return;
      if (outcome === 'ok') {
        this.openSocket();
        return;
      }
    }
    this.scheduleReconnect(err);
  }

  private scheduleReconnect(error?: ImError): void {
    if (this.current === 'closed') return;
    if (this.urls.length > 1) this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    const delay = backoffDelay(this.attempt, this.options.backoff);
    this.emitter.emit('retry', { attempt: this.attempt, delay_ms: delay, url: this.url, ...(error ? { error } : {}) });
    this.attempt++;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.current === 'connecting' || this.current === 'reconnecting') this.openSocket();
    }, delay);
  }

  private onOpen(sock: ImSocket, token: string): void {
    this.socket = sock;
    this.socketToken = token;
    this.openedAt = Date.now();
    this.failedOpens = 0;
    this.refreshedSinceOpen = false;
    sock.on('event', (e) => this.onPush(sock, e));
    sock.on('notice', (n) => this.onNotice(sock, n));
    sock.on('listener-error', (err) => this.emitter.emit('listener-error', err));
    sock.on('close', (info) => this.onClose(sock, info));
    this.setState('open');
    this.scheduleRefresh();
    this.flushOutbox();
    void this.catchUp(sock);
    for (const id of this.subscriptions) sock.request('subscribe', { conversation_id: id }).catch(() => undefined);
  }

  private onClose(sock: ImSocket, info: CloseInfo): void {
    if (sock !== this.socket) return;
    this.socket = undefined;
    this.inflight.clear();
    clearTimeout(this.refreshTimer);
    clearTimeout(this.sendRetryTimer);
    this.sendRetryTimer = undefined;
    if (this.current === 'closed') return;
    const final = FINAL_CODES.get(info.code);
    if (final) {
      const message = final === 'replaced' ? 'replaced by a newer connection of this user (4002)' : 'session revoked (4003)';
      this.finish({ reason: final, message, code: info.code });
      return;
    }
    this.setState('reconnecting', { code: info.code });
    if (Date.now() - this.openedAt >= STABLE_MS) this.attempt = 0;
    if (info.code === CloseCode.TOKEN_EXPIRED) {
      void this.reconnectAfterExpiry();
      return;
    }
    this.scheduleReconnect();
  }

  private async reconnectAfterExpiry(): Promise<void> {
    // A proactive refresh may already have brought newer tokens than the socket had.
    if (this.socketToken === this.session.token) {
      this.refreshedSinceOpen = true;
      const outcome = await this.refreshTokens();
      if (this.current === 'closed' || outcome === 'rejected') return;
      if (outcome === 'unreachable') {
        this.scheduleReconnect();
        return;
      }
    }
    this.openSocket();
  }

  // ---- tokens -------------------------------------------------------------------------

  /** Refreshes the tokens now (single flight). A refusal closes the client with `refresh_failed`. */
  refreshTokens(): Promise<'ok' | 'rejected' | 'unreachable'> {
    this.refreshing ??= (async () => {
      try {
        const next = await new ImHttp(this.url).refresh(this.session.refresh_token);
        this.session = next;
        this.sessionReceivedAt = Date.now();
        this.emitter.emit('session', next);
        return 'ok' as const;
      } catch (err) {
        const e = asImError(err);
        if (e.code === 'unauthorized') {
          this.finish({ reason: 'refresh_failed', message: `token refresh refused: ${e.message}`, error: e });
          return 'rejected' as const;
        }
        this.emitter.emit('error', { error: e, context: 'refreshing the token' });
        return 'unreachable' as const;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    const ahead = this.options.refreshBeforeExpiryMs ?? 30_000;
    if (ahead <= 0) return;
    const now = Date.now();
    const remaining = this.session.expires_at - now;
    const lifetime = this.session.expires_at - this.sessionReceivedAt;
    if (remaining <= 0 || lifetime <= 0) return;
    const delay = Math.max(0, remaining - Math.min(ahead, lifetime / 2));
    const sock = this.socket;
    this.refreshTimer = setTimeout(() => {
      void this.refreshTokens().then((outcome) => {
        if (outcome !== 'ok' || this.socket !== sock || !sock?.isOpen) return;
        // Move to a socket with the new token now, rather than be cut off at expiry. The
        // old one is let go at once: what was in flight on it is resent on the new one.
        this.socket = undefined;
        this.inflight.clear();
        this.setState('reconnecting', { code: CloseCode.NORMAL });
        sock.close(1000, 'token refreshed').catch(() => undefined);
        this.openSocket();
      });
    }, delay);
  }

  // ---- files --------------------------------------------------------------------------

  /**
   * Uploads a file (POST /api/files) with the current access token. A 401 (the token
   * expired meanwhile) refreshes the tokens and tries once more, when the body can be read
   * again (bytes or a Blob; a stream cannot).
   */
  async uploadFile(body: Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, options: { name: string; mime?: string }): Promise<UploadedFile> {
    try {
      return await this.http.uploadFile(this.session.token, body, options);
    } catch (err) {
      const repeatable = body instanceof Uint8Array || (typeof Blob !== 'undefined' && body instanceof Blob);
      if (!repeatable || !(err instanceof ImError) || err.status !== 401 || (await this.refreshTokens()) !== 'ok') throw err;
      return this.http.uploadFile(this.session.token, body, options);
    }
  }

  /**
   * Uploads a file and sends it to a conversation as a file event, in one call: the upload
   * as uploadFile (refreshing the tokens once on a 401), the event as sendFile (through the
   * outbox: sent once connected, resent with its cid until acknowledged). Members of the
   * conversation can then download it (downloadFile with `file.url`).
   */
  async uploadAndSend(
    conversationId: string,
    body: Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
    options: { name: string; mime?: string; caption?: string; dim?: string; duration_ms?: number; thumb?: string },
  ): Promise<{ file: UploadedFile; ack: Ack }> {
    const { name, mime, caption, ...more } = options;
    const file = await this.uploadFile(body, { name, ...(mime !== undefined ? { mime } : {}) });
    const ack = await this.sendFile(conversationId, { ...file, name, ...more }, caption);
    return { file, ack };
  }

  /**
   * GET of a file of this cluster with the access token in the Authorization header (never
   * in the URL), from this client's gateway whatever host the URL names (see
   * ImHttp.downloadFile), refreshed once on a 401. Resolves with the response, whatever
   * its status.
   */
  async downloadFile(url: string, options: { range?: string } = {}): Promise<Response> {
    const res = await this.http.downloadFile(this.session.token, url, options);
    if (res.status !== 401 || (await this.refreshTokens()) !== 'ok') return res;
    return this.http.downloadFile(this.session.token, url, options);
  }

  // ---- requests -----------------------------------------------------------------------

  /**
   * Any command of the contract, typed from the protocol's command maps. Fails fast with
   * `unavailable` while not open (nothing is queued but events: use `send` for those).
   */
  request<C extends CommandName>(cmd: C, data?: CommandData<C>): Promise<CommandResults[C]> {
    if (cmd === 'event') {
      const input = data as CommandData<'event'>;
      if (isPersistedKind(input.kind)) return this.send(input) as Promise<CommandResults[C]>;
    }
    const sock = this.socket;
    if (!sock || !sock.isOpen) return Promise.reject(new ImError({ code: 'unavailable', message: `not connected (${this.current})` }));
    return sock.request(cmd, data);
  }

  /**
   * Sends an event of a stored kind through the outbox: it resolves with the ack once the
   * server has committed it, across reconnects (resent with the same cid), and rejects only
   * when the server refuses it for good or the client is closed.
   */
  async send(input: SendInput): Promise<Ack> {
    if (this.current === 'closed') throw this.closedError();
    const entry: OutboxEntry = {
      cid: input.cid ?? newCid(),
      conversation_id: input.conversation_id,
      kind: input.kind,
      content: input.content,
      tags: input.tags ?? [],
      // Strictly increasing, so entries made in the same millisecond keep their order.
      queued_at: (this.lastQueuedAt = Math.max(Date.now(), this.lastQueuedAt + 1)),
    };
    try {
      if (!isPersistedKind(entry.kind)) throw new ImError({ code: 'bad_request', message: `kind ${entry.kind} is not stored: use markRead or typing`, field: 'kind' });
      checkEventShape(entry);
      const bytes = encode({ cmd: 'event', id: Limits.maxRequestId, data: entry }).byteLength;
      if (bytes > Limits.maxFrameBytes) throw new ImError({ code: 'too_large', message: `the event encodes to ${bytes} bytes, over ${Limits.maxFrameBytes}` });
    } catch (err) {
      throw asImError(err, 'bad_request');
    }
    const acked = this.outbox.wait(entry.cid);
    if (!this.outbox.has(entry.cid)) {
      await this.outbox.add(entry);
      this.emitter.emit('queued', entry);
    }
    this.flushOutbox();
    return acked;
  }

  private flushOutbox(): void {
    const sock = this.socket;
    if (!sock || !sock.isOpen || this.sendRetryTimer) return;
    for (const entry of this.outbox.list()) {
      if (this.inflight.has(entry.cid)) continue;
      this.inflight.set(entry.cid, sock);
      const { queued_at: _q, ...data } = entry;
      sock.request('event', data).then(
        (ack) => void this.onAck(entry, ack as Ack),
        (err: unknown) => void this.onSendError(entry, sock, asImError(err)),
      );
    }
  }

  private async onAck(entry: OutboxEntry, ack: Ack): Promise<void> {
    this.inflight.delete(entry.cid);
    this.sendRetries = 0;
    const done = await this.outbox.settle(entry.cid, ack);
    if (done) this.emitter.emit('sent', { entry: done, ack });
    // The server does not push an event back to the socket that sent it: the ack says
    // where it landed, so it joins the stream here. A forward gains server-made tags, so
    // that one is fetched.
    if (entry.kind === Kind.FORWARD) {
      this.streamFor(entry.conversation_id);
      this.requestSync(entry.conversation_id);
      return;
    }
    const event: ImEvent = {
      id: ack.event_id,
      conversation_id: ack.conversation_id,
      seq: ack.seq,
      sender_id: this.userId,
      kind: entry.kind,
      content: entry.content,
      tags: entry.tags,
      cid: ack.cid,
      created_at: ack.created_at,
    };
    this.onStoredEvent(event);
  }

  private async onSendError(entry: OutboxEntry, sock: ImSocket, err: ImError): Promise<void> {
    if (this.inflight.get(entry.cid) === sock) this.inflight.delete(entry.cid);
    // Lost with its socket: resent after reconnecting.
    if (sock !== this.socket || !sock.isOpen || this.current === 'closed') return;
    if (RETRYABLE.has(err.code)) {
      if (!this.sendRetryTimer) {
        const delay = Math.max(50, backoffDelay(this.sendRetries++, this.options.backoff));
        this.sendRetryTimer = setTimeout(() => {
          this.sendRetryTimer = undefined;
          this.flushOutbox();
        }, delay);
      }
      return;
    }
    const dropped = await this.outbox.fail(entry.cid, err);
    if (dropped) this.emitter.emit('failed', { entry: dropped, error: err });
  }

  /** Drops a queued event that has not been acknowledged; its `send` rejects. */
  async cancel(cid: string): Promise<boolean> {
    const dropped = await this.outbox.fail(cid, new ImError({ code: 'conflict', message: 'cancelled' }));
    return dropped !== undefined;
  }

  // ---- events of the conversation stream ------------------------------------------------

  private streamFor(conversationId: string): SeqStream<ImEvent> {
    let stream = this.streams.get(conversationId);
    if (!stream) this.streams.set(conversationId, (stream = new SeqStream(0)));
    return stream;
  }

  private onPush(sock: ImSocket, event: ImEvent | TransientEvent): void {
    if (sock !== this.socket) return;
    if (typeof (event as ImEvent).seq !== 'number') {
      this.emitter.emit('transient', event as TransientEvent);
      return;
    }
    const stored = event as ImEvent;
    // Before the first catch-up the client cannot tell a new conversation from one whose
    // history it has not been told about; those pushes wait for it.
    if (!this.caughtUp && !this.streams.has(stored.conversation_id)) {
      this.parked.push(stored);
      return;
    }
    this.onStoredEvent(stored);
  }

  private onStoredEvent(event: ImEvent): void {
    const stream = this.streamFor(event.conversation_id);
    const { ready, gap } = stream.push(event);
    this.deliver(event.conversation_id, ready);
    if (gap) this.requestSync(event.conversation_id);
  }

  private deliver(conversationId: string, events: ImEvent[], asOf?: Map<string, number>): void {
    if (events.length === 0) return;
    const changed = new Map<string, ViewMessage>();
    for (const e of events) {
      for (const m of this.view.apply(e, asOf?.get(e.id) ?? e.seq)) changed.set(m.id, m);
      this.emitter.emit('event', e);
    }
    this.markCursor(conversationId);
    if (changed.size > 0) this.emitter.emit('view', { conversation_id: conversationId, messages: [...changed.values()] });
  }

  private onNotice(sock: ImSocket, notice: Notice): void {
    if (sock !== this.socket) return;
    if (notice.type === 'event_hidden' && typeof notice.event_id === 'string') {
      const gone = this.view.remove(notice.event_id);
      if (gone) this.emitter.emit('view', { conversation_id: gone.conversation_id, messages: [], removed: [gone.id] });
    }
    this.emitter.emit('notice', notice);
  }

  // ---- gap repair ---------------------------------------------------------------------

  /**
   * After every open: every conversation whose max_seq is past what was delivered is
   * synced from there. Conversations this client has never seen start at their current
   * max_seq on the first run (history is `history()`'s), and from their start later on
   * (they are new: joined or created while away).
   */
  private async catchUp(sock: ImSocket): Promise<void> {
    let tries = 0;
    for (;;) {
      if (sock !== this.socket || !sock.isOpen) return;
      try {
        const conversations = await this.listConversations(sock);
        for (const c of conversations) {
          let stream = this.streams.get(c.conversation_id);
          if (!stream) {
            // Pushes that came in meanwhile are new: the start is just before the first of them.
            const firstParked = Math.min(...this.parked.filter((e) => e.conversation_id === c.conversation_id).map((e) => e.seq));
            stream = new SeqStream(this.caughtUp ? 0 : Math.min(c.max_seq, firstParked - 1));
            this.streams.set(c.conversation_id, stream);
            if (!this.caughtUp) this.markCursor(c.conversation_id);
          }
          if (c.max_seq > stream.delivered) this.requestSync(c.conversation_id);
        }
        this.caughtUp = true;
        const parked = this.parked;
        this.parked = [];
        for (const e of parked) this.onStoredEvent(e);
        for (const [id, s] of this.streams) if (s.hasGap) this.requestSync(id);
        this.emitter.emit('caught-up', { conversations: conversations.length });
        return;
      } catch (err) {
        this.emitter.emit('error', { error: err, context: 'catching up after connecting' });
        await new Promise((r) => setTimeout(r, Math.max(100, backoffDelay(tries++, this.options.backoff))));
      }
    }
  }

  private async listConversations(sock: ImSocket): Promise<Array<{ conversation_id: string; max_seq: number }>> {
    const all: Array<{ conversation_id: string; max_seq: number }> = [];
    let before: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const data = (before === undefined ? {} : { before, limit: 500 }) as CommandData<'get_conversations'>;
      const res = (await sock.request('get_conversations', data)) as { conversations: Array<{ conversation_id: string; max_seq: number }>; next_cursor?: string | null };
      all.push(...res.conversations);
      if (!res.next_cursor) break;
      before = res.next_cursor;
    }
    return all;
  }

  private requestSync(conversationId: string): void {
    const running = this.syncing.get(conversationId);
    if (running) {
      running.again = true;
      return;
    }
    this.syncing.set(conversationId, { again: false });
    this.syncQueue.push(conversationId);
    this.pumpSyncs();
  }

  private pumpSyncs(): void {
    const limit = this.options.syncConcurrency ?? 4;
    while (this.syncRunning < limit && this.syncQueue.length > 0) {
      const id = this.syncQueue.shift()!;
      this.syncRunning++;
      void this.runSync(id).finally(() => {
        this.syncRunning--;
        this.pumpSyncs();
      });
    }
  }

  private async runSync(conversationId: string): Promise<void> {
    const state = this.syncing.get(conversationId)!;
    const stream = this.streamFor(conversationId);
    let rounds = 0;
    try {
      do {
        state.again = false;
        for (;;) {
          const sock = this.socket;
          if (!sock || !sock.isOpen) return; // the next open catches up
          const page = await sock.request('sync', { conversation_id: conversationId, after_seq: stream.delivered, limit: SYNC_PAGE });
          const last = page.events.at(-1)?.seq ?? stream.delivered;
          const asOf = new Map(page.events.map((e) => [e.id, page.max_seq]));
          // Older events of the page may carry a newer state of messages already shown.
          const changed = page.events.filter((e) => e.seq <= stream.delivered).flatMap((e) => this.view.apply(e, page.max_seq));
          if (changed.length > 0) this.emitter.emit('view', { conversation_id: conversationId, messages: changed });
          this.deliver(conversationId, stream.page(page.events, page.has_more ? last : Math.max(last, page.max_seq)), asOf);
          if (!page.has_more) break;
        }
        // Pushes that arrived past the page's max_seq while it ran: one more round.
      } while ((state.again || stream.hasGap) && ++rounds < 5);
    } catch (err) {
      this.emitter.emit('error', { error: err, context: `syncing ${conversationId}` });
    } finally {
      this.syncing.delete(conversationId);
    }
  }

  // ---- cursors ------------------------------------------------------------------------

  private markCursor(conversationId: string): void {
    const stream = this.streams.get(conversationId);
    if (!stream) return;
    this.dirtyCursors[conversationId] = stream.delivered;
    if (!this.cursorWrite) this.cursorWrite = Promise.resolve().then(() => this.writeCursors());
  }

  private async writeCursors(): Promise<void> {
    try {
      while (Object.keys(this.dirtyCursors).length > 0) {
        const batch = this.dirtyCursors;
        this.dirtyCursors = {};
        await this.store.putCursors(batch).catch((err: unknown) => this.emitter.emit('error', { error: err, context: 'saving cursors' }));
      }
    } finally {
      this.cursorWrite = undefined;
    }
  }

  private async flushCursors(): Promise<void> {
    await this.cursorWrite;
    if (Object.keys(this.dirtyCursors).length > 0) await this.writeCursors();
  }

  // ---- conveniences -------------------------------------------------------------------

  /** Older messages of a conversation (by `sync` with `before_seq`), added to the local view. */
  async history(conversationId: string, options: { before_seq?: number; limit?: number } = {}): Promise<CommandResults['sync']> {
    const data: CommandData<'sync'> = { conversation_id: conversationId, limit: options.limit ?? Limits.syncDefaultLimit };
    if (options.before_seq !== undefined) data.before_seq = options.before_seq;
    const page = await this.request('sync', data);
    const changed = page.events.flatMap((e) => this.view.apply(e, page.max_seq));
    if (changed.length > 0) this.emitter.emit('view', { conversation_id: conversationId, messages: changed });
    return page;
  }

  /** Subscribes to typing events of a conversation, also on every later connection. */
  override subscribe(conversationId: string) {
    this.subscriptions.add(conversationId);
    return this.request('subscribe', { conversation_id: conversationId });
  }

  override unsubscribe(conversationId: string) {
    this.subscriptions.delete(conversationId);
    return this.request('unsubscribe', { conversation_id: conversationId });
  }

  /**
   * "Delete for me" (hide_event): once the server has it, the message leaves the local view
   * here at once; the user's other devices learn it from the `event_hidden` notice.
   */
  override async hideEvent(eventId: string) {
    const res = await this.request('hide_event', { event_id: eventId });
    const gone = this.view.remove(eventId);
    if (gone) this.emitter.emit('view', { conversation_id: gone.conversation_id, messages: [], removed: [gone.id] });
    return res;
  }

  sendText(conversationId: string, content: string, options: { reply_to?: string; mentions?: string[]; cid?: string } = {}): Promise<Ack> {
    const tags: Tag[] = [];
    if (options.reply_to) tags.push(['reply', options.reply_to]);
    for (const m of options.mentions ?? []) tags.push(['mention', m]);
    return this.send({ conversation_id: conversationId, kind: Kind.TEXT, content, tags, ...(options.cid ? { cid: options.cid } : {}) });
  }

  sendFile(
    conversationId: string,
    file: { url: string; mime: string; size: number; name?: string; sha256?: string; dim?: string; duration_ms?: number; thumb?: string },
    caption = '',
  ): Promise<Ack> {
    const tags: Tag[] = [
      ['url', file.url],
      ['m', file.mime],
      ['size', String(file.size)],
    ];
    if (file.name !== undefined) tags.push(['name', file.name]);
    if (file.sha256 !== undefined) tags.push(['x', file.sha256]);
    if (file.dim !== undefined) tags.push(['dim', file.dim]);
    if (file.duration_ms !== undefined) tags.push(['duration', String(file.duration_ms)]);
    if (file.thumb !== undefined) tags.push(['thumb', file.thumb]);
    return this.send({ conversation_id: conversationId, kind: Kind.FILE, content: caption, tags });
  }

  revoke(conversationId: string, eventId: string, reason = ''): Promise<Ack> {
    return this.send({ conversation_id: conversationId, kind: Kind.REVOKE, content: reason, tags: [['e', eventId]] });
  }

  edit(conversationId: string, eventId: string, content: string): Promise<Ack> {
    return this.send({ conversation_id: conversationId, kind: Kind.EDIT, content, tags: [['e', eventId]] });
  }

  react(conversationId: string, eventId: string, emoji: string): Promise<Ack> {
    return this.send({ conversation_id: conversationId, kind: Kind.REACTION, content: emoji, tags: [['e', eventId]] });
  }

  unreact(conversationId: string, eventId: string, emoji: string): Promise<Ack> {
    return this.send({ conversation_id: conversationId, kind: Kind.REACTION, content: emoji, tags: [['e', eventId], ['remove']] });
  }

  forward(conversationId: string, eventIds: string[], comment = ''): Promise<Ack> {
    return this.send({ conversation_id: conversationId, kind: Kind.FORWARD, content: comment, tags: eventIds.map((id) => ['e', id]) });
  }

  /** Moves the read watermark (kind 10); not queued: fails fast when not connected. */
  async markRead(conversationId: string, seq: number): Promise<{ conversation_id: string; read_seq: number }> {
    return (await this.request('event', { conversation_id: conversationId, kind: Kind.READ, content: String(seq) })) as { conversation_id: string; read_seq: number };
  }

  /** Says "typing" (kind 11) to subscribed members; dropped silently when not connected. */
  typing(conversationId: string): void {
    const sock = this.socket;
    if (sock?.isOpen) sock.notify('event', { conversation_id: conversationId, kind: Kind.TYPING, content: '' });
  }
}
