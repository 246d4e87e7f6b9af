import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveKey } from '@im/auth';
import { Db, ensureDatabase, migrate } from '@im/db';
import { createLogger, createRegistry, fatal } from '@im/kit';
import { SeakingParams, type SeakingResults } from '@im/protocol';
import { loadOrExit, serveRpc } from '@im/rpc';
import { loadConfig } from './config.js';
import { LoginCodesRepository } from './domain/accounts/codes-repository.js';
import { LoginCodesService } from './domain/accounts/codes-service.js';
import { Pruner } from './domain/accounts/pruner.js';
import { AccountsService } from './domain/accounts/service.js';
import { DirMailer, LogMailer, SmtpMailer, type Mailer } from './mail/mailer.js';
import { SessionsRepository } from './domain/accounts/sessions-repository.js';
import { TokenIssuer } from './domain/accounts/tokens.js';
import { UsersRepository } from './domain/accounts/users-repository.js';
import { ConversationsRepository } from './domain/conversations/repository.js';
import { ConversationsService } from './domain/conversations/service.js';
import { FilesRepository } from './domain/files/repository.js';
import { FilesService } from './domain/files/service.js';
import { FriendsRepository } from './domain/friends/repository.js';
import { FriendsService } from './domain/friends/service.js';
import { GroupsRepository } from './domain/groups/repository.js';
import { GroupsService } from './domain/groups/service.js';
import { MomentsRepository } from './domain/moments/repository.js';
import { MomentsService } from './domain/moments/service.js';
import { seakingHandlers } from './rpc/handlers.js';

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../migrations');

async function main(): Promise<void> {
  const config = loadOrExit('seaking', () => loadConfig());
  const logger = createLogger({ service: 'seaking', level: config.logLevel });

  await ensureDatabase(config.databaseUrl, logger);
  await migrate(config.databaseUrl, MIGRATIONS, logger);
  const db = new Db({ url: config.databaseUrl, logger, max: config.databasePoolSize, applicationName: 'seaking' });
  // Statistics from the start and as tables grow, whether or not autovacuum runs.
  await db.analyze();
  const stopAnalyzing = db.analyzeEvery(3600_000);

  const users = new UsersRepository(db);
  const friendsRepo = new FriendsRepository(db);
  const conversationsRepo = new ConversationsRepository(db);
  const momentsRepo = new MomentsRepository(db);
  const sessionsRepo = new SessionsRepository(db);
  const codesRepo = new LoginCodesRepository(db);
  const pruner = new Pruner(sessionsRepo, codesRepo, { keepEndedMs: config.pruneKeepMs, refreshTtlMs: config.refreshTokenTtl * 1000, keepCodesMs: 24 * 3600 * 1000 }, logger);
  const accounts = new AccountsService(db, users, sessionsRepo, new TokenIssuer(config.jwtSecret, config.accessTokenTtl), {
    refreshTtlSeconds: config.refreshTokenTtl,
  });
  const mailer: Mailer = config.smtpUrl
    ? new SmtpMailer(config.smtpUrl, config.mailFrom)
    : config.mailerDir
      ? new DirMailer(config.mailerDir)
      : new LogMailer(logger);
  const services = {
    accounts,
    loginCodes: new LoginCodesService(db, codesRepo, users, accounts, mailer, {
      ttlMs: config.loginCodeTtlMs,
      intervalMs: config.loginCodeIntervalMs,
      maxAttempts: config.loginCodeAttempts,
      // Never the access-token key: derived for this purpose alone.
      secret: deriveKey(config.jwtSecret, 'login-code'),
    }),
    friends: new FriendsService(db, friendsRepo, users, conversationsRepo, momentsRepo),
    conversations: new ConversationsService(db, conversationsRepo, friendsRepo, users, { requireFriendship: config.requireFriendship }),
    groups: new GroupsService(db, new GroupsRepository(db), { maxGroupSize: config.maxGroupSize }),
    moments: new MomentsService(db, momentsRepo, users),
    files: new FilesService(db, new FilesRepository(db), config.fileQuota),
  };

  pruner.start(config.pruneIntervalMs);
  await serveRpc<typeof SeakingParams, SeakingResults>({
    logger,
    registry: createRegistry('seaking'),
    port: config.port,
    host: config.host,
    token: config.internalToken,
    schemas: SeakingParams,
    handlers: seakingHandlers(services),
    checks: { database: () => db.ping() },
    onStop: async () => {
      pruner.stop();
      stopAnalyzing();
      await db.close();
    },
  });
}

main().catch((err) => fatal(createLogger({ service: 'seaking' }), 'startup failed', err));
