import fs from 'node:fs';
import path from 'node:path';
import express from 'express';

/**
 * The web client (apps/web, built by Vite) at `/`. Its file names under assets/ carry a
 * content hash, so they are cached for good; index.html is revalidated on every load so a
 * new build is picked up at once. The Content-Security-Policy allows scripts and styles
 * from this origin only: even a bug that let markup into the page could not run a script.
 */
export const WEB_CLIENT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // File messages may point at images anywhere on the web.
  "img-src 'self' https: http: data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function webClientRoute(dir: string): express.Router {
  const r = express.Router();
  const assets = path.join(dir, 'assets');
  r.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', WEB_CLIENT_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  r.use('/assets', express.static(assets, { immutable: true, maxAge: '365d', index: false }));
  r.use('/assets', (_req, res) => {
    res.status(404).type('text/plain').send('not found');
  });
  r.get(['/', '/index.html'], (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(dir, 'index.html'));
  });
  return r;
}

/** Whether a folder holds a built web client. */
export function hasWebClient(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'index.html'));
}
