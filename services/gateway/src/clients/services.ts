import { RpcClient } from '@im/rpc';
import type { RelayParams, RelayResults, SeakingParams, SeakingResults } from '@im/protocol';

export type SeakingClient = RpcClient<typeof SeakingParams, SeakingResults>;
export type RelayClient = RpcClient<typeof RelayParams, RelayResults>;

export function seakingClient(url: string, token: string): SeakingClient {
  return new RpcClient({ url, token, service: 'seaking' });
}

export function relayClient(url: string, token: string): RelayClient {
  return new RpcClient({ url, token, service: 'relay' });
}
