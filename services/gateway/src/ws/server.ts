import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, Limits } from '@im/protocol';
import { errorFields, prom, type Logger, type Registry } from '@im/kit';
import type { AccessClaims, TokenVerifier } from '../auth/tokens.js';
import { tokenFrom } from '../auth/tokens.js';
import type { SessionLiveness } from '../sessions/liveness.js';
import type { Router } from '../routing/router.js';
import { Connection, type ConnectionLimits } from './connection.js';
import type { Dispatcher } from './dispatcher.js';
import type { LocalConnections } from './local-connections.js';
import type { PresenceAnnouncer } from '../presence/announcer.js';

export interface WsOptions {
  maxFrameBytes: number;
  perMessageDeflate: boolean;
  maxConnPerUser: number;
  pingIntervalMs: number;
  idleTimeoutMs: number;
  limits: ConnectionLimits;
}

export interface WsDeps {
  verifier: TokenVerifier;
  sessions: SessionLiveness;
  router: Router;
  local: LocalConnections;
  dispatcher: Dispatcher;
  presence: PresenceAnnouncer;
  logger: Logger;
  registry: Registry;
}

function refuse(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ error: { code: status === 401 ? 'unauthorized' : status === 503 ? 'unavailable' : 'bad_request', message: text } });
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 503 ? 'Service Unavailable' : 'Bad Request'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The WebSocket endpoint: authenticates the upgrade (401 and no socket otherwise), then
 * owns each socket's life: messages to the dispatcher, heartbeats, idle and expiry closes.
 */
export class WsServer {
  private readonly wss: WebSocketServer;
  private heartbeat: NodeJS.Timeout | undefined;
  private accepting = true;

  constructor(
    private readonly deps: WsDeps,
    private readonly options: WsOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: options.perMessageDeflate,
      clientTracking: false,
    });
    new prom.Gauge({
      name: 'gateway_connections',
      help: 'Open client sockets on this gateway',
      registers: [deps.registry],
      collect() {
        this.set(deps.local.connections);
      },
    });
  }

  attach(server: http.Server): void {
    server.on('upgrade', (req, socket, head) => {
      socket.on('error', () => undefined);
      this.upgrade(req, socket, head).catch((err) => {
        this.deps.logger.error('upgrade failed', errorFields(err));
        refuse(socket, 503, 'service unavailable');
      });
    });
    this.heartbeat = setInterval(() => this.sweep(), this.options.pingIntervalMs);
    this.heartbeat.unref();
  }

  private async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== '/ws') return refuse(socket, 400, 'unknown path');
    if (!this.accepting) return refuse(socket, 503, 'gateway is shutting down');
    const token = tokenFrom(req.headers.authorization, url);
    const claims = token ? this.deps.verifier.verify(token) : undefined;
    if (!token || !claims) return refuse(socket, 401, 'missing, invalid or expired token');
    // The signature says who; seaking says whether the session is still live.
    let live: boolean;
    try {
      live = await this.deps.sessions.isLive(claims.session_id);
    } catch {
      return refuse(socket, 503, 'service unavailable');
    }
    if (!live) return refuse(socket, 401, 'session revoked');
    if (socket.destroyed) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, claims));
  }

  private open(ws: WebSocket, claims: AccessClaims): void {
    const now = Date.now();
    const conn = new Connection(ws, claims.user_id, claims.session_id, claims.expires_at, this.options.limits, now);
    const { router, dispatcher, presence, logger } = this.deps;
    // Registration is announced to the cluster; if the shared layer is away the socket still
    // works here and is announced again when it returns.
    const registered = router.connected(conn).then(
      (first) => {
        if (first) presence.announce(conn.userId, true);
      },
      (err: Error) => logger.warn('socket registration failed', { err: err.message }),
    );
    conn.armExpiry(() => conn.close(CloseCode.TOKEN_EXPIRED, 'access token expired'), now);

    // Commands wait until the socket is registered, so that by the time a client syncs,
    // every gateway has been told it can reach this user here: what the sync does not
    // return is pushed.
    let ready = false;
    void registered.finally(() => (ready = true));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      // A socket the server is closing takes no more commands.
      if (!conn.open) return;
      const at = Date.now();
      conn.lastSeen = at;
      if (!isBinary) {
        conn.close(CloseCode.UNSUPPORTED_DATA, 'binary frames only');
        return;
      }
      if (ready) void dispatcher.dispatch(conn, data, at);
      else void registered.finally(() => (conn.open ? dispatcher.dispatch(conn, data, at) : undefined));
    });
    ws.on('pong', () => (conn.lastSeen = Date.now()));
    ws.on('ping', () => (conn.lastSeen = Date.now()));
    ws.on('error', (err) => logger.debug('socket error', { conn: conn.id, err: err.message }));
    ws.on('close', () => {
      conn.disarm();
      void registered
        .then(() => router.disconnected(conn))
        .then(
          (last) => {
            if (last) presence.announce(conn.userId, false);
          },
          (err: Error) => logger.warn('socket deregistration failed', { err: err.message }),
        );
    });
  }

  /** One timer for all sockets: ping the live ones, close the silent ones. */
  private sweep(): void {
    const now = Date.now();
    for (const conn of this.deps.local.all()) {
      if (now - conn.lastSeen > this.options.idleTimeoutMs) conn.close(CloseCode.IDLE, 'idle');
      else if (conn.open) conn.ws.ping();
    }
  }

  /**
   * Stops taking sockets and new commands, lets the requests under way finish (so what was
   * committed is acked), then closes every socket with 1001: clients reconnect elsewhere.
   */
  async drain(dispatcher: Dispatcher, graceMs: number): Promise<void> {
    this.accepting = false;
    dispatcher.draining = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    const deadline = Date.now() + graceMs;
    while (dispatcher.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const conn of [...this.deps.local.all()]) conn.close(CloseCode.GOING_AWAY, 'server shutting down');
    this.wss.close();
  }
}

/**
 * Requests one socket may have under way at once: a whole burst of the event rate limit
 * (2 × EVENT_RATE), and never fewer than 128 commands of any kind (contract 2).
 */
export function maxInFlight(eventRate: number): number {
  return Math.max(128, 2 * eventRate);
}

export const DEFAULT_LIMITS: Pick<ConnectionLimits, 'badFramesPerMinute'> = { badFramesPerMinute: Limits.badFramesPerMinute };
