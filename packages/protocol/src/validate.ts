import { z } from 'zod';
import { AppError } from './errors.js';

const encoder = new TextEncoder();
const nodeBuffer = (globalThis as { Buffer?: { byteLength(s: string, enc: 'utf8'): number } }).Buffer;

/** UTF-8 length of a string, without allocating where the platform allows. */
export function utf8Length(value: string): number {
  return nodeBuffer ? nodeBuffer.byteLength(value, 'utf8') : encoder.encode(value).length;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Characters no stored string may hold: U+0000 (PostgreSQL text cannot) and unpaired
 * surrogates (not Unicode; they would be stored as something else than what was hashed).
 */
export function hasNul(value: string): boolean {
  return value.includes('\u0000') || LONE_SURROGATE.test(value);
}

/** Marks an issue as a size or count limit on a payload, which the contract reports as `too_large`. */
const TOO_LARGE = { code: 'too_large' } as const;

/** A string whose UTF-8 length must stay within `max` bytes; beyond it is `too_large`. */
export function boundedBytes(min: number, max: number, what: string) {
  return z.string().superRefine((value, ctx) => {
    if (hasNul(value)) {
      ctx.addIssue({ code: 'custom', message: `${what} must not contain NUL characters or unpaired surrogates` });
      return;
    }
    const bytes = utf8Length(value);
    if (bytes > max) {
      ctx.addIssue({ code: 'custom', message: `${what} exceeds ${max} bytes`, params: TOO_LARGE });
    } else if (bytes < min) {
      ctx.addIssue({ code: 'custom', message: `${what} must have at least ${min} byte${min === 1 ? '' : 's'}` });
    }
  });
}

/** An array with a payload count limit: more than `max` items is `too_large`. */
export function boundedList<T extends z.ZodType>(item: T, max: number, what: string) {
  return z.array(item).superRefine((value, ctx) => {
    if (value.length > max) {
      ctx.addIssue({ code: 'custom', message: `${what} has more than ${max} items`, params: TOO_LARGE });
    }
  });
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'string' ? `must have at least ${issue.minimum} characters` : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `must have at most ${issue.maximum} characters` : `must be at most ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/**
 * Converts the first problem zod found into the contract's error. `field` is the path of
 * the offending input field as the client named it (`limit`, `tags.0`); `whole` names the
 * input itself in messages when the problem is with all of it.
 */
export function toAppError(error: z.ZodError, whole = 'input'): AppError {
  const issue = error.issues[0];
  if (!issue) return new AppError('bad_request', 'invalid input');
  const path = issue.path.map(String).join('.');
  const field = path === '' ? undefined : path;
  const tooLarge = issue.code === 'custom' && (issue.params as { code?: string } | undefined)?.code === 'too_large';
  const text = issue.code === 'custom' ? issue.message : describe(issue);
  const message = issue.code === 'custom' && field ? text : `${field ?? whole} ${text}`;
  return new AppError(tooLarge ? 'too_large' : 'bad_request', message, field);
}

/** Validates input from outside against a schema; the narrowed value or a contract error. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, whole = 'input'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw toAppError(result.error, whole);
}

/**
 * A short text field (names, remarks, messages, queries): a length in characters, and no
 * U+0000 or unpaired surrogate, which PostgreSQL text cannot hold or would store as
 * something else (contract 0: `bad_request`, never `internal`).
 */
export function shortText(min: number, max: number) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((v) => !hasNul(v), 'must not contain NUL characters or unpaired surrogates');
}
