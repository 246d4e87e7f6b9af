import express from 'express';
import { AppError, AuthCodeBody, CloseCode, CodeLoginBody, LoginBody, parse, RefreshBody, RegisterBody, unauthorized, type Session } from '@im/protocol';
import type { Logger } from '@im/kit';
import { tokenFrom, type TokenVerifier } from '../auth/tokens.js';
import type { SeakingClient } from '../clients/services.js';
import type { Router } from '../routing/router.js';
import { identityKey, type Throttles } from '../throttle/throttles.js';
import { route } from './errors.js';

export interface AuthRoutesDeps {
  seaking: SeakingClient;
  verifier: TokenVerifier;
  router: Router;
  throttles: Throttles;
  logger: Logger;
}

/** Register, login, refresh and logout: validated here, carried out by seaking. */
export function authRoutes({ seaking, verifier, router, throttles, logger }: AuthRoutesDeps): express.Router {
  const r = express.Router();

  const closeSessions = (ids: string[]) => {
    for (const id of ids) router.broadcast({ type: 'close_session', session_id: id, code: CloseCode.REVOKED, reason: 'session revoked' });
  };

  /**
   * Runs a login under its budgets. The account is resolved first, so every identifier of
   * one account (username, phone, email) draws on one budget; an attempt is taken from the
   * account's and the address's budgets before the password is checked, so attempts still
   * being verified count. A success clears the account's failures and gives the address
   * its attempt back; anything but a wrong credential gives both back.
   */
  const guarded = async (
    identity: { username?: string | undefined; phone?: string | undefined; email?: string | undefined },
    address: string,
    login: () => Promise<Session & { revoked_sessions: string[] }>,
  ): Promise<Session> => {
    const { user_id } = await seaking.call('seaking.resolveAccount', identity);
    const account = user_id ?? `unknown:${identityKey(identity)}`;
    await throttles.loginAccount.take(account);
    try {
      await throttles.loginAddress.take(address);
    } catch (err) {
      await throttles.loginAccount.refund(account);
      throw err;
    }
    try {
      const { revoked_sessions, ...session } = await login();
      await Promise.all([throttles.loginAccount.reset(account), throttles.loginAddress.refund(address)]);
      closeSessions(revoked_sessions);
      return session;
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'unauthorized')) {
        await Promise.all([throttles.loginAccount.refund(account), throttles.loginAddress.refund(address)]);
      }
      throw err;
    }
  };

  /** The client's address: the peer, or what a trusted proxy says it is (TRUSTED_PROXIES). */
  const addressOf = (req: express.Request) => req.ip ?? 'unknown';

  r.post(
    '/api/register',
    route(logger, async (req, res) => {
      const body = parse(RegisterBody, req.body, 'body');
      // Each registration costs a password hash: attempts per address are limited.
      await throttles.register.take(addressOf(req));
      res.status(201).json(await seaking.call('seaking.register', body));
    }),
  );

  r.post(
    '/api/login',
    route(logger, async (req, res) => {
      const body = parse(LoginBody, req.body, 'body');
      const address = addressOf(req);
      const identity = { username: body.username, phone: body.phone, email: body.email };
      res.json(await guarded(identity, address, () => seaking.call('seaking.login', { ...body, client_ip: address })));
    }),
  );

  r.post(
    '/api/auth/code',
    route(logger, async (req, res) => {
      const body = parse(AuthCodeBody, req.body, 'body');
      // Each code is a mail sent to an address someone typed: asked for per client address.
      await throttles.codes.take(addressOf(req));
      await seaking.call('seaking.requestLoginCode', body);
      res.status(204).end();
    }),
  );

  r.post(
    '/api/login/code',
    route(logger, async (req, res) => {
      const body = parse(CodeLoginBody, req.body, 'body');
      res.json(await guarded({ email: body.email }, addressOf(req), () => seaking.call('seaking.loginWithCode', body)));
    }),
  );

  r.post(
    '/api/refresh',
    route(logger, async (req, res) => {
      const body = parse(RefreshBody, req.body, 'body');
      const { session, revoked_sessions } = await seaking.call('seaking.refresh', body);
      closeSessions(revoked_sessions);
      if (!session) throw unauthorized(revoked_sessions.length > 0 ? 'refresh token was already used; the session is revoked' : 'invalid refresh token');
      res.json(session);
    }),
  );

  r.post(
    '/api/logout',
    route(logger, async (req, res) => {
      const token = tokenFrom(req.headers.authorization, undefined);
      const claims = token ? verifier.verify(token) : undefined;
      if (!claims) throw unauthorized('missing, invalid or expired token');
      await seaking.call('seaking.validateToken', { token: token! });
      await seaking.call('seaking.logout', { session_id: claims.session_id });
      router.broadcast({ type: 'close_session', session_id: claims.session_id, code: CloseCode.REVOKED, reason: 'session revoked' });
      res.status(204).end();
    }),
  );

  r.get(
    '/api/stats',
    route(logger, async (_req, res) => {
      res.json(await router.stats());
    }),
  );

  return r;
}
