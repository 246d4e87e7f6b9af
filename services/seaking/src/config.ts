import { z } from 'zod';
import { cfg, readConfig, serviceFields, serviceSettings, type Env } from '@im/kit';

const schema = z.object({
  ...serviceFields(8081),
  DATABASE_URL: z.string().min(1, 'is required'),
  DATABASE_POOL_SIZE: cfg.int(10, 1, 200),
  JWT_SECRET: cfg.secret(),
  INTERNAL_TOKEN: cfg.secret(),
  ACCESS_TOKEN_TTL: cfg.int(3600, 1),
  REFRESH_TOKEN_TTL: cfg.int(30 * 24 * 3600, 60),
  REQUIRE_FRIENDSHIP: cfg.bool(true),
  MAX_GROUP_SIZE: cfg.int(500, 2, 100000),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('IM <no-reply@localhost>'),
  MAILER_DIR: z.string().optional(),
  LOGIN_CODE_TTL: cfg.int(600, 10),
  LOGIN_CODE_INTERVAL: cfg.int(60, 0),
  LOGIN_CODE_ATTEMPTS: cfg.int(5, 1, 100),
  /** Seconds between prunings of ended sessions, spent refresh tokens and old codes (0: never). */
  PRUNE_INTERVAL: cfg.int(3600, 0),
  /** Days an ended session is kept before it is deleted. */
  PRUNE_KEEP_DAYS: cfg.int(30, 0, 3650),
  /** Per user and UTC day: bytes and number of files uploaded (0: no limit). */
  FILE_QUOTA_BYTES: cfg.int(1024 * 1024 * 1024, 0),
  FILE_QUOTA_FILES: cfg.int(500, 0),
});

export type SeakingConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: Env = process.env) {
  const c = readConfig(schema, env);
  return {
    ...serviceSettings(c),
    databaseUrl: c.DATABASE_URL,
    databasePoolSize: c.DATABASE_POOL_SIZE,
    jwtSecret: c.JWT_SECRET,
    internalToken: c.INTERNAL_TOKEN,
    accessTokenTtl: c.ACCESS_TOKEN_TTL,
    refreshTokenTtl: c.REFRESH_TOKEN_TTL,
    requireFriendship: c.REQUIRE_FRIENDSHIP,
    maxGroupSize: c.MAX_GROUP_SIZE,
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM,
    mailerDir: c.MAILER_DIR,
    loginCodeTtlMs: c.LOGIN_CODE_TTL * 1000,
    loginCodeIntervalMs: c.LOGIN_CODE_INTERVAL * 1000,
    loginCodeAttempts: c.LOGIN_CODE_ATTEMPTS,
    pruneIntervalMs: c.PRUNE_INTERVAL * 1000,
    pruneKeepMs: c.PRUNE_KEEP_DAYS * 24 * 3600 * 1000,
    fileQuota: { bytes: c.FILE_QUOTA_BYTES, files: c.FILE_QUOTA_FILES },
  };
}
