import { decode } from '@im/codec';
import { ImClient, openNodeSocket, type ClientState, type ImClientOptions, type OpenSocket, type WebSocketLike } from '@im/client';
import type { ImEvent, Session } from '@im/protocol';
import type { Cluster, TestUser } from './cluster.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** An ImClient plus everything it told the app, for assertions. */
export interface Recorded {
  client: ImClient;
  events: ImEvent[];
  states: Array<{ state: ClientState; code?: number }>;
  sessions: Session[];
  retries: number;
  /** Seqs delivered for one conversation, in delivery order. */
  seqs(conversationId: string): number[];
}

export function record(client: ImClient): Recorded {
  const r: Recorded = {
    client,
    events: [],
    states: [],
    sessions: [],
    retries: 0,
    seqs: (id) => r.events.filter((e) => e.conversation_id === id).map((e) => e.seq),
  };
  client.on('event', (e) => r.events.push(e));
  client.on('state', (s) => r.states.push(s.code === undefined ? { state: s.state } : { state: s.state, code: s.code }));
  client.on('session', (s) => r.sessions.push(s));
  client.on('retry', () => r.retries++);
  return r;
}

/** A client for a test user on the given gateways, connected and open. */
export async function openClient(cluster: Cluster, user: TestUser, options: Partial<ImClientOptions> = {}): Promise<Recorded> {
  const client = new ImClient({ url: cluster.gateways.map((g) => g.url), session: user.session, backoff: { baseMs: 100, maxMs: 1000 }, ...options });
  const r = record(client);
  const caughtUp = new Promise((resolve) => client.once('caught-up', resolve));
  await client.connect();
  await client.ready();
  await caughtUp;
  return r;
}

/** 1..n */
export const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/**
 * Opens real sockets whose incoming frames pass through `drop` first: a frame it returns
 * true for never reaches the SDK, as a push lost on the way would.
 */
export function lossySockets(drop: (frame: { cmd: string; data?: unknown }) => boolean): OpenSocket {
  return async (url, options) => {
    const ws = await openNodeSocket(url, options);
    const filtered: WebSocketLike = {
      get readyState() {
        return ws.readyState;
      },
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      get extensions() {
        return ws.extensions;
      },
      binaryType: ws.binaryType,
      send: (d) => ws.send(d),
      close: (c, r) => ws.close(c, r),
      terminate: () => ws.terminate?.(),
      addEventListener: (type, listener) => {
        if (type !== 'message') return ws.addEventListener(type, listener);
        ws.addEventListener('message', ((ev: { data: Uint8Array }) => {
          if (!drop(decode(ev.data, 1 << 24) as { cmd: string; data?: unknown })) (listener as (e: unknown) => void)(ev);
        }) as never);
      },
    };
    return filtered;
  };
}
