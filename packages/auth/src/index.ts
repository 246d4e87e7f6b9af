import jwt from 'jsonwebtoken';

export interface AccessClaims {
  user_id: string;
  session_id: string;
  expires_at: number;
}

/**
 * Access tokens: HS256 JWTs carrying the user (`sub`) and the session (`sid`). seaking
 * issues them; every gateway verifies them locally with the same secret.
 */
export class AccessTokens {
  constructor(private readonly secret: string) {}

  issue(userId: string, sessionId: string, nowMs: number, ttlSeconds: number): { token: string; expires_at: number } {
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + ttlSeconds;
    const token = jwt.sign({ sub: userId, sid: sessionId, iat, exp, typ: 'access' }, this.secret, { algorithm: 'HS256', noTimestamp: true });
    return { token, expires_at: exp * 1000 };
  }

  /** The claims of a valid, unexpired access token; undefined for anything else. */
  verify(token: string): AccessClaims | undefined {
    try {
      const claims = jwt.verify(token, this.secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') return undefined;
      return { user_id: claims.sub, session_id: claims.sid, expires_at: claims.exp * 1000 };
    } catch {
      return undefined;
    }
  }
}
