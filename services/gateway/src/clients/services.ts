import { RpcClient, WsRpcClient, type RpcCaller } from '@im/rpc';
import type { RelayParams, RelayResults, SeakingParams, SeakingResults } from '@im/protocol';

export type SeakingClient = RpcCaller<typeof SeakingParams, SeakingResults>;
export type RelayClient = RpcCaller<typeof RelayParams, RelayResults>;

/** How calls to seaking and relay travel: one persistent WebSocket each (default), or HTTP POST. */
export type RpcTransport = 'ws' | 'http';

function client<P extends typeof SeakingParams | typeof RelayParams, R extends SeakingResults | RelayResults>(
  transport: RpcTransport,
  url: string,
  token: string,
  service: string,
): RpcCaller<P, R & { [M in keyof P]: unknown }> {
  return transport === 'ws' ? new WsRpcClient({ url, token, service }) : new RpcClient({ url, token, service });
}

export function seakingClient(url: string, token: string, transport: RpcTransport = 'ws'): SeakingClient {
  return client(transport, url, token, 'seaking');
}

export function relayClient(url: string, token: string, transport: RpcTransport = 'ws'): RelayClient {
  return client(transport, url, token, 'relay');
}
