import crypto from 'node:crypto';
import { AccessTokens, type AccessClaims } from '@im/auth';

export type { AccessClaims };

/** Issues access tokens with the configured lifetime. Refresh tokens are random, shown once and stored only as SHA-256. */
export class TokenIssuer {
  private readonly tokens: AccessTokens;

  constructor(
    secret: string,
    private readonly accessTtlSeconds: number,
  ) {
    this.tokens = new AccessTokens(secret);
  }

  issueAccess(userId: string, sessionId: string, nowMs: number): { token: string; expires_at: number } {
    return this.tokens.issue(userId, sessionId, nowMs, this.accessTtlSeconds);
  }

  verifyAccess(token: string): AccessClaims | undefined {
    return this.tokens.verify(token);
  }
}

export function newRefreshToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): Buffer {
  return crypto.createHash('sha256').update(token).digest();
}
