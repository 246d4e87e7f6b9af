import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { z } from 'zod';
import { AppError, unavailable } from '@im/protocol';
import { createLogger, createRegistry } from '@im/kit';
import { buildMethods } from './methods.js';
import { WsRpcClient } from './ws-client.js';
import { RPC_WS_PATH, RpcWebSocketServer } from './ws-server.js';

const schemas = {
  'test.echo': z.object({ text: z.string() }),
  'test.slow': z.object({ ms: z.number() }),
  'test.fail': z.object({}),
} as const;
interface Results {
  'test.echo': { text: string };
  'test.slow': { waited: number };
  'test.fail': never;
}

const TOKEN = 'a-test-internal-token';
const logger = createLogger({ service: 'test', level: 'error' });
let server: http.Server;
let rpc: RpcWebSocketServer;
let url: string;

async function listen(port = 0): Promise<void> {
  server = http.createServer((_req, res) => res.end());
  const methods = buildMethods<typeof schemas, Results>(
    schemas,
    {
      'test.echo': async (p) => ({ text: p.text }),
      'test.slow': async (p) => {
        await new Promise((r) => setTimeout(r, p.ms));
        return { waited: p.ms };
      },
      'test.fail': async () => {
        throw unavailable('the database is away');
      },
    },
    logger,
    createRegistry('test'),
  );
  rpc = new RpcWebSocketServer(methods, TOKEN, logger);
  rpc.attach(server);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(): Promise<void> {
  await rpc.drain(1000);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

before(() => listen());
after(() => stop());

test('calls of one batch are answered as each is done: a slow one delays nobody', async () => {
  const client = new WsRpcClient<typeof schemas, Results>({ url, token: TOKEN, service: 'test' });
  const order: string[] = [];
  await Promise.all([
    client.call('test.slow', { ms: 300 }).then(() => order.push('slow')),
    client.call('test.echo', { text: 'a' }).then(() => order.push('fast a')),
    client.call('test.echo', { text: 'b' }).then(() => order.push('fast b')),
  ]);
  assert.deepEqual(order, ['fast a', 'fast b', 'slow']);
  client.close();
});

test('domain errors and invalid params keep their contract codes', async () => {
  const client = new WsRpcClient<typeof schemas, Results>({ url, token: TOKEN, service: 'test' });
  await assert.rejects(client.call('test.fail', {}), (e: AppError) => e.code === 'unavailable' && e.message === 'the database is away');
  await assert.rejects(client.call('test.echo', { text: 5 } as never), (e: AppError) => e.code === 'bad_request' && e.field === 'text');
  client.close();
});

test('a wrong token is refused at the upgrade; malformed messages get JSON-RPC errors', async () => {
  const wrong = new WsRpcClient<typeof schemas, Results>({ url, token: 'not the token', service: 'test' });
  await assert.rejects(wrong.call('test.echo', { text: 'x' }), (e: AppError) => e.code === 'internal');
  wrong.close();
  const ws = new WebSocket(url.replace('http', 'ws') + RPC_WS_PATH, { headers: { authorization: `Bearer ${TOKEN}` } });
  await new Promise((r) => ws.once('open', r));
  const replies: unknown[] = [];
  ws.on('message', (d: Buffer) => replies.push(...([] as unknown[]).concat(JSON.parse(d.toString()))));
  ws.send('{ not json');
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'no.such' }));
  ws.send(JSON.stringify({ id: 8, method: 'test.echo' }));
  while (replies.length < 3) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(
    replies.map((r) => [(r as { id: unknown }).id, (r as { error: { code: number } }).error.code]),
    [[null, -32700], [7, -32601], [8, -32600]],
  );
  ws.close();
});

test('while the service is away calls fail fast as unavailable; it reconnects by itself', async () => {
  const client = new WsRpcClient<typeof schemas, Results>({ url, token: TOKEN, service: 'test', retryAfterMs: 50 });
  assert.deepEqual(await client.call('test.echo', { text: 'up' }), { text: 'up' });
  const port = Number(new URL(url).port);
  const inFlight = client.call('test.slow', { ms: 5000 });
  await new Promise((r) => setTimeout(r, 50));
  // Kill the connection under the call.
  server.closeAllConnections();
  for (const ws of (rpc as unknown as { wss: { clients: Set<WebSocket> } }).wss.clients) ws.terminate();
  await assert.rejects(inFlight, (e: AppError) => e.code === 'unavailable');
  await stop();
  await assert.rejects(client.call('test.echo', { text: 'down' }), (e: AppError) => e.code === 'unavailable');
  await listen(port);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(await client.call('test.echo', { text: 'back' }), { text: 'back' });
  client.close();
});
