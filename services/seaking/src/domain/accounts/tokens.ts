import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface AccessClaims {
  user_id: string;
  session_id: string;
  expires_at: number;
}

/**
 * Access tokens are HS256 JWTs carrying the user and session ids, verified by every gateway
 * locally. Refresh tokens are random, shown once and stored only as SHA-256.
 */
export class TokenIssuer {
  constructor(
    private readonly secret: string,
    private readonly accessTtlSeconds: number,
  ) {}

  issueAccess(userId: string, sessionId: string, nowMs: number): { token: string; expires_at: number } {
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + this.accessTtlSeconds;
    const token = jwt.sign({ sub: userId, sid: sessionId, iat, exp, typ: 'access' }, this.secret, { algorithm: 'HS256', noTimestamp: true });
    return { token, expires_at: exp * 1000 };
  }

  verifyAccess(token: string): AccessClaims | undefined {
    return verifyAccessToken(token, this.secret);
  }
}

/** Shared with the gateway's verifier: same claims, same algorithm. */
export function verifyAccessToken(token: string, secret: string): AccessClaims | undefined {
  try {
    const claims = jwt.verify(token, secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') return undefined;
    return { user_id: claims.sub, session_id: claims.sid, expires_at: claims.exp * 1000 };
  } catch {
    return undefined;
  }
}

export function newRefreshToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): Buffer {
  return crypto.createHash('sha256').update(token).digest();
}
