import express from 'express';
import { AppError, AuthCodeBody, CloseCode, CodeLoginBody, LoginBody, parse, RefreshBody, RegisterBody, unauthorized, type Session } from '@im/protocol';
import type { Logger } from '@im/kit';
import { tokenFrom, type TokenVerifier } from '../auth/tokens.js';
import type { SeakingClient } from '../clients/services.js';
import type { Router } from '../routing/router.js';
import { accountKey, type LoginThrottle } from '../throttle/login-throttle.js';
import { route } from './errors.js';

export interface AuthRoutesDeps {
  seaking: SeakingClient;
  verifier: TokenVerifier;
  router: Router;
  throttle: LoginThrottle;
  logger: Logger;
}

/** Register, login, refresh and logout: validated here, carried out by seaking. */
export function authRoutes({ seaking, verifier, router, throttle, logger }: AuthRoutesDeps): express.Router {
  const r = express.Router();

  const closeSessions = (ids: string[]) => {
    for (const id of ids) router.broadcast({ type: 'close_session', session_id: id, code: CloseCode.REVOKED, reason: 'session revoked' });
  };

  /** Runs a login under the throttle: failures count against the account and the address. */
  const throttled = async (account: string, address: string, login: () => Promise<Session & { revoked_sessions: string[] }>): Promise<Session> => {
    await throttle.check(account, address);
    try {
      const { revoked_sessions, ...session } = await login();
      await throttle.succeeded(account);
      closeSessions(revoked_sessions);
      return session;
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthorized') await throttle.failed(account, address);
      throw err;
    }
  };

  r.post(
    '/api/register',
    route(logger, async (req, res) => {
      const body = parse(RegisterBody, req.body, 'body');
      res.status(201).json(await seaking.call('seaking.register', body));
    }),
  );

  r.post(
    '/api/login',
    route(logger, async (req, res) => {
      const body = parse(LoginBody, req.body, 'body');
      const address = req.ip ?? 'unknown';
      res.json(await throttled(accountKey(body), address, () => seaking.call('seaking.login', { ...body, client_ip: address })));
    }),
  );

  r.post(
    '/api/auth/code',
    route(logger, async (req, res) => {
      const body = parse(AuthCodeBody, req.body, 'body');
      await seaking.call('seaking.requestLoginCode', body);
      res.status(204).end();
    }),
  );

  r.post(
    '/api/login/code',
    route(logger, async (req, res) => {
      const body = parse(CodeLoginBody, req.body, 'body');
      res.json(await throttled(accountKey({ email: body.email }), req.ip ?? 'unknown', () => seaking.call('seaking.loginWithCode', body)));
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
