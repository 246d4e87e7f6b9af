import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '@im/kit';
import { INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, type JsonRpcError } from './errors.js';
import type { Method } from './methods.js';
import { tokenMatches } from './server.js';

export const RPC_WS_PATH = '/rpc/ws';

interface Request {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

type Response = { jsonrpc: '2.0'; id: string | number | null; result: unknown } | { jsonrpc: '2.0'; id: string | number | null; error: JsonRpcError };

/** One caller's connection: responses done in the same turn of the loop leave in one frame. */
class Peer {
  private outbox: Response[] = [];
  private scheduled = false;

  constructor(
    readonly ws: WebSocket,
    private readonly maxBufferedBytes: number,
  ) {}

  send(response: Response): void {
    this.outbox.push(response);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length === 0 || this.ws.readyState !== this.ws.OPEN) return;
    // A caller that stopped reading is cut off; it reconnects and retries what it lacks.
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.ws.terminate();
      return;
    }
    this.ws.send(JSON.stringify(batch.length === 1 ? batch[0] : batch));
  }
}

/**
 * JSON-RPC 2.0 over one persistent WebSocket per caller, beside POST /rpc: no HTTP request
 * per call, and every call of a batch is answered as soon as it is done (so one slow call
 * never delays the others); answers that complete together travel together, as an array.
 * Callers present the internal token at the upgrade (401 otherwise).
 */
export class RpcWebSocketServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024, perMessageDeflate: false, clientTracking: true });
  private readonly expected: Buffer;
  private accepting = true;
  /** Calls started and not answered yet: a stopping service waits for them. */
  inFlight = 0;

  constructor(
    private readonly methods: Map<string, Method>,
    token: string,
    private readonly logger: Logger,
    private readonly maxBufferedBytes = 256 * 1024 * 1024,
  ) {
    this.expected = Buffer.from(token);
  }

  attach(server: http.Server): void {
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => undefined);
      const path = (req.url ?? '').split('?')[0];
      if (path !== RPC_WS_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (!this.accepting) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (!tokenMatches(req.headers.authorization, this.expected)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws));
    });
  }

  private open(ws: WebSocket): void {
    const peer = new Peer(ws, this.maxBufferedBytes);
    ws.on('error', (err) => this.logger.debug('rpc socket error', { err: err.message }));
    ws.on('message', (data: Buffer) => {
      let message: unknown;
      try {
        message = JSON.parse(data.toString('utf8'));
      } catch {
        peer.send({ jsonrpc: '2.0', id: null, error: { code: PARSE_ERROR, message: 'Parse error: the message is not valid JSON' } });
        return;
      }
      if (Array.isArray(message)) {
        if (message.length === 0) peer.send(invalid(null));
        for (const m of message) this.handle(peer, m);
      } else this.handle(peer, message);
    });
  }

  private handle(peer: Peer, raw: unknown): void {
    const request = raw as Request;
    if (raw === null || typeof raw !== 'object' || request.jsonrpc !== '2.0' || typeof request.method !== 'string') {
      const id = typeof request?.id === 'string' || typeof request?.id === 'number' ? request.id : null;
      peer.send(invalid(id));
      return;
    }
    const id = request.id;
    const notification = id === undefined;
    if (!notification && typeof id !== 'string' && typeof id !== 'number' && id !== null) {
      peer.send(invalid(null));
      return;
    }
    const method = this.methods.get(request.method);
    if (!method) {
      if (!notification) peer.send({ jsonrpc: '2.0', id: id as string | number | null, error: { code: METHOD_NOT_FOUND, message: 'Method not found' } });
      return;
    }
    this.inFlight++;
    method(request.params).then(
      (result) => {
        this.inFlight--;
        if (!notification) peer.send({ jsonrpc: '2.0', id: id as string | number | null, result: result ?? null });
      },
      (error: JsonRpcError) => {
        this.inFlight--;
        if (!notification) peer.send({ jsonrpc: '2.0', id: id as string | number | null, error });
      },
    );
  }

  /** Stops taking callers, lets the calls under way finish, then closes every connection (1001). */
  async drain(graceMs: number): Promise<void> {
    this.accepting = false;
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    // Let the last answers leave.
    await new Promise((r) => setImmediate(r));
    for (const ws of this.wss.clients) ws.close(1001, 'service shutting down');
    this.wss.close();
  }
}

function invalid(id: string | number | null): Response {
  return { jsonrpc: '2.0', id, error: { code: INVALID_REQUEST, message: 'Invalid Request' } };
}
