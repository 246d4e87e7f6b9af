import crypto from 'node:crypto';

/** Opaque, roughly time-ordered ids: a type prefix, the time, then randomness. */
export function newId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${crypto.randomBytes(8).toString('hex')}`;
}
