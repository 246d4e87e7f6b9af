import winston from 'winston';

export type Logger = winston.Logger;

/**
 * Structured JSON logs on stdout: a fixed message plus fields. Callers make child loggers
 * per connection or request (`logger.child({ conn })`).
 */
export function createLogger(options: { service: string; level?: string; silent?: boolean }): Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    defaultMeta: { service: options.service },
    format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}

/** Fields describing a caught error for a log line meant for operators. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { err: err.message, stack: err.stack };
  return { err: String(err) };
}
