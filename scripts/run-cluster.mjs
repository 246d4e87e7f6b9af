#!/usr/bin/env node
// `make run`: the whole cluster on one machine with nothing but Node.js. Starts embedded
// PostgreSQL (unless DATABASE_URL, or SEAKING_DATABASE_URL and RELAY_DATABASE_URL, are set),
// then seaking, relay and one gateway on 8080 with an in-process bus (unless REDIS_URL is
// set). Ctrl-C stops everything.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnService, startEmbeddedPostgres } from '@im/devkit';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const env = process.env;
const color = { seaking: 35, relay: 36, gateway: 32, postgres: 33, cluster: 1 };
const say = (who, line) => process.stdout.write(`\x1b[${color[who] ?? 0}m${who.padEnd(8)}\x1b[0m ${line}\n`);

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

// Secrets for a local cluster: stable across restarts so tokens survive, kept beside the data.
function localSecrets(dir) {
  const file = path.join(dir, 'secrets.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const secrets = { JWT_SECRET: crypto.randomBytes(32).toString('hex'), INTERNAL_TOKEN: crypto.randomBytes(32).toString('hex') };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

const dataDir = env.DATA_DIR ?? (process.getuid?.() === 0 ? path.join(os.tmpdir(), 'im-cluster') : path.join(root, '.data'));
const secrets = { ...localSecrets(dataDir), ...(env.JWT_SECRET ? { JWT_SECRET: env.JWT_SECRET } : {}), ...(env.INTERNAL_TOKEN ? { INTERNAL_TOKEN: env.INTERNAL_TOKEN } : {}) };
const children = [];
let postgres;

async function stop() {
  say('cluster', 'stopping');
  for (const c of children.reverse()) await c.stop('SIGTERM');
  if (postgres) await postgres.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

try {
  let seakingDb = env.SEAKING_DATABASE_URL;
  let relayDb = env.RELAY_DATABASE_URL;
  if (!seakingDb || !relayDb) {
    let base = env.DATABASE_URL;
    if (!base) {
      say('postgres', `starting embedded PostgreSQL in ${path.join(dataDir, 'postgres')}`);
      postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: Number(env.PG_PORT ?? 54329), persistent: true });
      base = postgres.adminUrl;
      say('postgres', `listening on ${new URL(base).port}`);
    }
    seakingDb ??= withDatabase(base, 'im_seaking');
    relayDb ??= withDatabase(base, 'im_relay');
  }
  const common = { ...secrets, LOG_LEVEL: env.LOG_LEVEL ?? 'info', ...(env.REDIS_URL ? { REDIS_URL: env.REDIS_URL } : {}) };
  const seakingPort = Number(env.SEAKING_PORT ?? 8081);
  const relayPort = Number(env.RELAY_PORT ?? 8082);
  const gatewayPort = Number(env.PORT ?? 8080);
  const start = async (name, port, extra) => {
    const s = await spawnService({
      name,
      entry: path.join(root, 'services', name, 'dist', 'main.js'),
      port,
      env: { ...common, ...extra },
      onOutput: (line) => say(name, line),
      readyTimeoutMs: 60000,
    });
    children.push(s);
    s.exited.then((code) => say('cluster', `${name} exited with ${code}`));
    return s;
  };
  await start('seaking', seakingPort, { DATABASE_URL: seakingDb });
  await start('relay', relayPort, { DATABASE_URL: relayDb });
  await start('gateway', gatewayPort, {
    SEAKING_URL: `http://127.0.0.1:${seakingPort}`,
    RELAY_URL: `http://127.0.0.1:${relayPort}`,
    GATEWAY_ID: env.GATEWAY_ID ?? 'gw1',
    // Uploads live beside the database unless an S3 bucket is configured.
    FILES_DIR: env.FILES_DIR ?? path.join(dataDir, 'files'),
  });
  say('cluster', `ready: HTTP and WebSocket on http://127.0.0.1:${gatewayPort} (ws://127.0.0.1:${gatewayPort}/ws); seaking :${seakingPort}, relay :${relayPort}. Ctrl-C stops.`);
} catch (err) {
  say('cluster', `failed to start: ${err instanceof Error ? err.message : err}`);
  for (const c of children.reverse()) await c.stop('SIGTERM');
  if (postgres) await postgres.stop();
  process.exit(1);
}
