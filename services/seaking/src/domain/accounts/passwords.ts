import argon2 from 'argon2';

/**
 * argon2id with the parameters OWASP recommends (19 MiB, 2 passes, 1 lane): strong, yet
 * cheap enough that a 2-core machine can serve bursts of logins.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export async function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/** Spends the time of one verification, so unknown users answer as slowly as known ones. */
export async function burnVerification(password: string): Promise<void> {
  dummy ??= hashPassword('an unused password');
  await verifyPassword(await dummy, password);
}
