import type { z } from 'zod';
import { CommandSchemas, type CommandName } from '@im/protocol';
import type { Logger } from '@im/kit';
import type { RelayClient, SeakingClient } from '../clients/services.js';
import type { MembersCache } from '../conversations/members-cache.js';
import type { Router } from '../routing/router.js';
import type { Connection } from './connection.js';

/** What handlers may use; built once in main.ts. */
export interface GatewayDeps {
  seaking: SeakingClient;
  relay: RelayClient;
  /** A connection pool of its own for stores, so slow queries never hold up an ack. */
  relayWrites: RelayClient;
  router: Router;
  members: MembersCache;
  logger: Logger;
}

export interface RequestContext {
  conn: Connection;
  deps: GatewayDeps;
}

/** The reply frame of a successful request; `none` sends nothing even with an id. */
export type Reply = { cmd: 'result' | 'ack' | 'pong'; data: unknown };

export interface Handler {
  readonly name: CommandName;
  readonly schema: z.ZodType;
  /** What one call takes from the socket's command budget (`event` has a rate of its own). */
  readonly cost: number;
  run(ctx: RequestContext, data: unknown): Promise<Reply>;
}

/** Declares the handler of one command; its data arrives validated against the command's schema. */
export function handler<C extends CommandName>(
  name: C,
  run: (ctx: RequestContext, data: z.output<(typeof CommandSchemas)[C]>) => Promise<Reply>,
  options: { cost?: number } = {},
): Handler {
  return { name, schema: CommandSchemas[name], cost: options.cost ?? 1, run: run as Handler['run'] };
}

export const result = (data: unknown = {}): Reply => ({ cmd: 'result', data });
