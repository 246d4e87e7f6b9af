import express from 'express';
import { CloseCode, LoginBody, parse, RefreshBody, RegisterBody, unauthorized } from '@im/protocol';
import type { Logger } from '@im/kit';
import { tokenFrom, type TokenVerifier } from '../auth/tokens.js';
import type { SeakingClient } from '../clients/services.js';
import type { Router } from '../routing/router.js';
import { route } from './errors.js';

export interface AuthRoutesDeps {
  seaking: SeakingClient;
  verifier: TokenVerifier;
  router: Router;
  logger: Logger;
}

/** Register, login, refresh and logout: validated here, carried out by seaking. */
export function authRoutes({ seaking, verifier, router, logger }: AuthRoutesDeps): express.Router {
  const r = express.Router();

  r.post(
    '/api/register',
    route(logger, async (req, res) => {
      const body = parse(RegisterBody, req.body);
      res.status(201).json(await seaking.call('seaking.register', body));
    }),
  );

  r.post(
    '/api/login',
    route(logger, async (req, res) => {
      const body = parse(LoginBody, req.body);
      res.json(await seaking.call('seaking.login', { ...body, client_ip: req.ip }));
    }),
  );

  r.post(
    '/api/refresh',
    route(logger, async (req, res) => {
      const body = parse(RefreshBody, req.body);
      res.json(await seaking.call('seaking.refresh', body));
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
