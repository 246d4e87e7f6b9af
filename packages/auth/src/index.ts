import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';

/**
 * A key for one purpose, derived from the configured secret (HKDF-SHA256), so the one
 * JWT_SECRET never doubles as the key of two different things (access tokens, login codes):
 * a value computed with one can never stand in for the other.
 */
export function deriveKey(secret: string, purpose: 'access-token' | 'login-code'): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', secret, 'im-cluster', purpose, 32));
}

/** Who issues access tokens, and for whom: a token made for anything else is refused. */
export const TOKEN_ISSUER = 'im-seaking';
export const TOKEN_AUDIENCE = 'im-gateway';

export interface AccessClaims {
  user_id: string;
  session_id: string;
  expires_at: number;
}

/**
 * Access tokens: HS256 JWTs carrying the user (`sub`) and the session (`sid`), issued by
 * seaking (`iss`) for the gateways (`aud`). seaking issues them; every gateway verifies them
 * locally with a key derived from the same secret.
 */
export class AccessTokens {
  /**
   * A KeyObject, made once: given raw bytes, jsonwebtoken first tries to parse them as a
   * public key on every call, which fails slowly (milliseconds per token, on the path of
   * every connection's authentication).
   */
  private readonly key: crypto.KeyObject;

  constructor(secret: string) {
    this.key = crypto.createSecretKey(deriveKey(secret, 'access-token'));
  }

  issue(userId: string, sessionId: string, nowMs: number, ttlSeconds: number): { token: string; expires_at: number } {
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + ttlSeconds;
    const token = jwt.sign({ sub: userId, sid: sessionId, iat, exp, typ: 'access' }, this.key, {
      algorithm: 'HS256',
      noTimestamp: true,
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
    });
    return { token, expires_at: exp * 1000 };
  }

  /** The claims of a valid, unexpired access token; undefined for anything else. */
  verify(token: string): AccessClaims | undefined {
    try {
      const claims = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE }) as jwt.JwtPayload;
      if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') return undefined;
      return { user_id: claims.sub, session_id: claims.sid, expires_at: claims.exp * 1000 };
    } catch {
      return undefined;
    }
  }
}
