import fs from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';

/**
 * Configuration comes from environment variables; a TOML file named by `CONFIG_FILE` may
 * add to them (the environment wins). Keys are the variable names, in either case in the
 * file. Validation happens once, here; a bad value stops the process with every problem
 * listed and no value echoed (values may be secrets).
 */

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

function fileValues(path: string): Env {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError([`CONFIG_FILE cannot be read: ${path}`]);
  }
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`CONFIG_FILE is not valid TOML: ${(err as Error).message.split('\n')[0]}`]);
  }
  const out: Env = {};
  for (const [key, value] of Object.entries(doc)) {
    if (value === null || typeof value === 'object') continue;
    out[key.toUpperCase()] = String(value);
  }
  return out;
}

/** Reads and validates a configuration whose schema keys are variable names. */
export function readConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.output<S> {
  const merged: Env = {};
  const file = env.CONFIG_FILE;
  if (file) Object.assign(merged, fileValues(file));
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return result.data;
}

/** Common field builders for configuration schemas. */
export const cfg = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
  url: () => z.string().url(),
  secret: (minLength = 16) => z.string().min(minLength, `must have at least ${minLength} characters`),
  logLevel: () => z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
};

/** The fields every service has: where it listens and how much it logs. */
export function serviceFields(port: number) {
  return { PORT: cfg.port(port), HOST: z.string().default('0.0.0.0'), LOG_LEVEL: cfg.logLevel() };
}

/** The settings every service has, from the fields of `serviceFields`. */
export function serviceSettings(c: { PORT: number; HOST: string; LOG_LEVEL: string }) {
  return { port: c.PORT, host: c.HOST, logLevel: c.LOG_LEVEL };
}
