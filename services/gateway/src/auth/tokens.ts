import jwt from 'jsonwebtoken';

export interface AccessClaims {
  user_id: string;
  session_id: string;
  expires_at: number;
}

/** Verifies an access token locally: signature, expiry and shape. */
export class TokenVerifier {
  constructor(private readonly secret: string) {}

  verify(token: string): AccessClaims | undefined {
    try {
      const claims = jwt.verify(token, this.secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') {
        return undefined;
      }
      return { user_id: claims.sub, session_id: claims.sid, expires_at: claims.exp * 1000 };
    } catch {
      return undefined;
    }
  }
}

/** The token of a request: `Authorization: Bearer …`, or the `token` query parameter. */
export function tokenFrom(authorization: string | undefined, url: URL | undefined): string | undefined {
  if (authorization?.startsWith('Bearer ')) return authorization.slice(7).trim() || undefined;
  return url?.searchParams.get('token') ?? undefined;
}
