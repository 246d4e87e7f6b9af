import os from 'node:os';
import path from 'node:path';
import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { cfg, ConfigError, readConfig, serviceFields, serviceSettings, type Env } from '@im/kit';
import { Limits } from '@im/protocol';
import { parseRedisUrl } from './routing/redis-target.js';

const schema = z.object({
  ...serviceFields(8080),
  GATEWAY_ID: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/).default('gw1'),
  SEAKING_URL: z.string().url().default('http://127.0.0.1:8081'),
  RELAY_URL: z.string().url().default('http://127.0.0.1:8082'),
  /** One Redis (`redis://host:port`) or nodes of a Redis Cluster (`redis://h1:p1,h2:p2,…`). */
  REDIS_URL: z
    .string()
    .optional()
    .refine(
      (v) => {
        if (v === undefined) return true;
        try {
          parseRedisUrl(v, false);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be redis[s]://[user:password@]host:port[/db], or host:port,host:port,… for a Redis Cluster' },
    ),
  /** The one node of REDIS_URL is a seed of a Redis Cluster (several nodes always are). */
  REDIS_CLUSTER: cfg.bool(false),
  /** How calls to seaking and relay travel: `ws` (one persistent WebSocket each) or `http`. */
  RPC_TRANSPORT: z.enum(['ws', 'http']).default('ws'),
  /** Prefix of every Redis key and channel, so clusters can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .max(64)
    .regex(/^[^{}]*$/, 'must not contain { or }: keys carry hash tags of their own after it')
    .default('im:'),
  JWT_SECRET: cfg.secret(),
  INTERNAL_TOKEN: cfg.secret(),
  MAX_CONN_PER_USER: cfg.int(Limits.maxConnPerUser, 1, 1000),
  EVENT_RATE: cfg.int(Limits.eventRate, 0, 1_000_000),
  MAX_FRAME_BYTES: cfg.int(Limits.maxFrameBytes, 1024, 16 * 1024 * 1024),
  PING_INTERVAL: cfg.int(30, 1, 3600),
  IDLE_TIMEOUT: cfg.int(90, 2, 7200),
  /** A socket whose unsent data passes this many bytes is closed, never waited for. */
  MAX_BUFFERED_BYTES: cfg.int(1024 * 1024, 16 * 1024),
  PERMESSAGE_DEFLATE: cfg.bool(false),
  /** Megabytes the cache of conversation members may hold (estimated). */
  MEMBERS_CACHE_MB: cfg.int(64, 1, 64 * 1024),
  MEMBERS_CACHE_TTL: cfg.int(300, 1),
  /** Seconds between heartbeats, and after which a silent gateway's sockets stop counting. */
  PRESENCE_HEARTBEAT: cfg.int(5, 1, 60),
  PRESENCE_TTL: cfg.int(30, 2, 60),
  LOGIN_MAX_FAILURES: cfg.int(5, 1),
  LOGIN_MAX_FAILURES_PER_ADDRESS: cfg.int(20, 1),
  LOGIN_FAILURE_WINDOW: cfg.int(900, 1),
  /** Registrations one client address may attempt an hour; 0: no limit. */
  REGISTER_PER_ADDRESS: cfg.int(20, 0),
  /** Login codes one client address may ask for an hour; 0: no limit. */
  CODES_PER_ADDRESS: cfg.int(20, 0),
  /**
   * Addresses or CIDR ranges of proxies whose X-Forwarded-For is believed (comma-separated;
   * `loopback`, `linklocal` and `uniquelocal` name the usual ranges). Default: loopback only.
   */
  TRUSTED_PROXIES: z
    .string()
    .default('loopback')
    .transform((v) => v.split(',').map((p) => p.trim()).filter((p) => p !== ''))
    .refine(
      (list) => {
        try {
          proxyAddr.compile(list);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be addresses or CIDR ranges, comma-separated' },
    ),
  /** Seconds between re-checks that every socket's session is still live (0: only after Redis returns). */
  SESSION_RECHECK: cfg.int(60, 0, 86400),
  /** Commands other than `event` a socket may send a second (a burst of 10 s worth); 0: no limit. */
  COMMAND_RATE: cfg.int(30, 0, 1_000_000),
  /** Serve the web client (apps/web) at /. */
  WEB_CLIENT: cfg.bool(true),
  /** Largest upload, in bytes. */
  MAX_FILE_BYTES: cfg.int(Limits.maxFileBytes, 1, Number.MAX_SAFE_INTEGER),
  /** Where uploads are kept when no S3_URL is set. */
  FILES_DIR: z.string().min(1).default(path.join(os.tmpdir(), 'im-files')),
  /** An S3-compatible bucket for uploads: http(s)://ACCESS_KEY:SECRET@host:port/bucket (path-style). */
  S3_URL: z.string().url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Seconds a SIGTERM waits for in-flight requests before exiting. */
  SHUTDOWN_GRACE: cfg.int(10, 0, 600),
});

export type GatewayConfig = ReturnType<typeof loadConfig>;

/** REDIS_URL with REDIS_CLUSTER (a seed of a cluster has no database number either). */
function redisTarget(url: string | undefined, cluster: boolean) {
  if (url === undefined) return undefined;
  try {
    return parseRedisUrl(url, cluster);
  } catch (err) {
    throw new ConfigError([`REDIS_URL: ${(err as Error).message}`]);
  }
}

export function loadConfig(env: Env = process.env) {
  const c = readConfig(schema, env);
  return {
    ...serviceSettings(c),
    gatewayId: c.GATEWAY_ID,
    seakingUrl: c.SEAKING_URL,
    relayUrl: c.RELAY_URL,
    redis: redisTarget(c.REDIS_URL, c.REDIS_CLUSTER),
    rpcTransport: c.RPC_TRANSPORT,
    redisPrefix: c.REDIS_PREFIX,
    jwtSecret: c.JWT_SECRET,
    internalToken: c.INTERNAL_TOKEN,
    maxConnPerUser: c.MAX_CONN_PER_USER,
    eventRate: c.EVENT_RATE,
    maxFrameBytes: c.MAX_FRAME_BYTES,
    pingIntervalMs: c.PING_INTERVAL * 1000,
    idleTimeoutMs: c.IDLE_TIMEOUT * 1000,
    maxBufferedBytes: c.MAX_BUFFERED_BYTES,
    perMessageDeflate: c.PERMESSAGE_DEFLATE,
    membersCacheBytes: c.MEMBERS_CACHE_MB * 1024 * 1024,
    membersCacheTtlMs: c.MEMBERS_CACHE_TTL * 1000,
    shutdownGraceMs: c.SHUTDOWN_GRACE * 1000,
    webClient: c.WEB_CLIENT,
    files: { maxBytes: c.MAX_FILE_BYTES, dir: c.FILES_DIR, s3Url: c.S3_URL, s3Region: c.S3_REGION },
    presenceHeartbeatMs: c.PRESENCE_HEARTBEAT * 1000,
    presenceTtlMs: c.PRESENCE_TTL * 1000,
    throttles: {
      loginPerAccount: c.LOGIN_MAX_FAILURES,
      loginPerAddress: c.LOGIN_MAX_FAILURES_PER_ADDRESS,
      loginWindowSeconds: c.LOGIN_FAILURE_WINDOW,
      registerPerAddress: c.REGISTER_PER_ADDRESS,
      codesPerAddress: c.CODES_PER_ADDRESS,
    },
    trustedProxies: c.TRUSTED_PROXIES,
    commandRate: c.COMMAND_RATE,
    sessionRecheckMs: c.SESSION_RECHECK * 1000,
  };
}
