import { AccessTokens, type AccessClaims } from '@im/auth';

export type { AccessClaims };

/** Verifies access tokens locally: signature, expiry and shape. */
export class TokenVerifier {
  private readonly tokens: AccessTokens;

  constructor(secret: string) {
    this.tokens = new AccessTokens(secret);
  }

  verify(token: string): AccessClaims | undefined {
    return this.tokens.verify(token);
  }
}

/** The token of a request: `Authorization: Bearer …`, or the `token` query parameter. */
export function tokenFrom(authorization: string | undefined, url: URL | undefined): string | undefined {
  if (authorization?.startsWith('Bearer ')) return authorization.slice(7).trim() || undefined;
  return url?.searchParams.get('token') ?? undefined;
}
