import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { WebSocket } from 'ws';
import { decode, encode } from '@im/codec';
import { createLogger, createRegistry } from '@im/kit';
import { COMMAND_NAMES, unavailable } from '@im/protocol';
import type { RelayClient, SeakingClient } from '../clients/services.js';
import { MembersCache } from '../conversations/members-cache.js';
import { InProcessRouter } from '../routing/router.js';
import { Connection } from './connection.js';
import { Dispatcher } from './dispatcher.js';
import { handlers } from './handlers/index.js';
import { LocalConnections } from './local-connections.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

/** Records what the dispatcher sends; a socket that is always open and always drained. */
class RecordingSocket {
  readyState = 1;
  bufferedAmount = 0;
  sent: Array<{ cmd: string; id?: number; data?: { code?: string } }> = [];
  send(bytes: Uint8Array): void {
    this.sent.push(decode(bytes, 1 << 24) as RecordingSocket['sent'][number]);
  }
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
}

// Every service behind the gateway is away: handlers get as far as they can, then `unavailable`.
const away = { call: () => Promise.reject(unavailable('away for the test')), close: () => undefined };
const local = new LocalConnections();
const router = new InProcessRouter(local, { gatewayId: 'fuzz', maxConnPerUser: 5 });
const deps = {
  seaking: away as unknown as SeakingClient,
  relay: away as unknown as RelayClient,
  relayWrites: away as unknown as RelayClient,
  router,
  members: new MembersCache(() => Promise.reject(unavailable('away for the test')), { maxBytes: 1 << 20, ttlMs: 1000 }),
  logger: createLogger({ service: 'test', level: 'error', silent: true }),
};
const dispatcher = new Dispatcher(handlers, deps, { maxFrameBytes: 65536, registry: createRegistry('fuzz') });
const limits = { eventRate: 0, commandRate: 0, maxBufferedBytes: 1 << 20, badFramesPerMinute: 1_000_000, maxInFlight: 128 };

function connection(): { conn: Connection; socket: RecordingSocket } {
  const socket = new RecordingSocket();
  return { conn: new Connection(socket as unknown as WebSocket, 'u-fuzz', 's-fuzz', Date.now() + 60_000, limits, Date.now()), socket };
}

const ALLOWED = new Set(['bad_frame', 'bad_request', 'too_large', 'unavailable', 'not_found', 'forbidden', 'rate_limited']);

/** One reply for a frame with an id (none or an error for one without), and never `internal`. */
async function answersProperly(bytes: Uint8Array, id: number | undefined): Promise<boolean> {
  const { conn, socket } = connection();
  await dispatcher.dispatch(conn, Buffer.from(bytes), Date.now());
  // Let replies written after the handler's own promise settle.
  await new Promise((r) => setImmediate(r));
  const codes = socket.sent.filter((f) => f.cmd === 'error').map((f) => f.data?.code);
  if (codes.some((c) => !ALLOWED.has(c ?? ''))) return false;
  if (id !== undefined) return socket.sent.length === 1 && socket.sent[0]!.id === id;
  return socket.sent.length <= 1;
}

const anyData = fc.anything({ maxDepth: 5, withNullPrototype: true, withObjectString: true });

test('any command name with any data: one answer, never internal, never a throw', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...COMMAND_NAMES), anyData, fc.option(fc.integer({ min: 1, max: 0xffffffff }), { nil: undefined }), async (cmd, data, id) => {
      let bytes: Uint8Array;
      try {
        bytes = encode(id === undefined ? { cmd, data } : { cmd, id, data });
      } catch {
        return true;
      }
      // A frame the codec refuses as a whole (a `__proto__` key anywhere) has no readable id:
      // it gets one error at most, as any unreadable bytes do.
      let readable = true;
      try {
        decode(bytes, 1 << 24);
      } catch {
        readable = false;
      }
      return answersProperly(bytes, readable ? id : undefined);
    }),
    { numRuns: RUNS },
  );
});

test('well-typed but hostile event data: every kind, odd tags, huge numbers', async () => {
  const tag = fc.array(fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom('e', 'src', 'reply', 'mention', 'url', 'm', 'size', 'remove', 'a'.repeat(64))), { minLength: 0, maxLength: 8 });
  const eventData = fc.record({
    conversation_id: fc.oneof(fc.string({ maxLength: 80 }), fc.constant('c1')),
    kind: fc.oneof(fc.constantFrom(1, 3, 5, 7, 10, 11, 12, 13), fc.integer({ min: -5, max: 70000 })),
    content: fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('', '\u0000', '\ud800', '12', '-1', '1e999')),
    tags: fc.array(tag, { maxLength: 40 }),
    cid: fc.oneof(fc.string({ maxLength: 80 }), fc.constant(undefined)),
  });
  await fc.assert(
    fc.asyncProperty(eventData, fc.integer({ min: 1, max: 1000 }), async (data, id) => answersProperly(encode({ cmd: 'event', id, data }), id)),
    { numRuns: RUNS },
  );
});

test('a frame with a __proto__ key is refused as unreadable, alone, and the next frame is served', async () => {
  const data: Record<string, unknown> = {};
  Object.defineProperty(data, '__proto__', { value: 0, enumerable: true, writable: true, configurable: true });
  const { conn, socket } = connection();
  await dispatcher.dispatch(conn, Buffer.from(encode({ cmd: 'ping', id: 7, data })), Date.now());
  await dispatcher.dispatch(conn, Buffer.from(encode({ cmd: 'ping', id: 8 })), Date.now());
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    socket.sent.map((f) => [f.cmd, f.id, f.data?.code]),
    [
      ['error', undefined, 'bad_frame'],
      ['pong', 8, undefined],
    ],
  );
});

test('any bytes at all: an error frame at most, never a throw', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => answersProperly(bytes, undefined).then(
      (ok) => ok,
      () => false,
    )),
    { numRuns: RUNS },
  );
  assert.equal(dispatcher.inFlight, 0);
});
