import express from 'express';
import { openApiDocument } from '@im/protocol';

/** GET /api/openapi.json: the HTTP API as OpenAPI 3.1, generated from the same schemas that validate requests. */
export function openApiRoute(): express.Router {
  const r = express.Router();
  const body = JSON.stringify(openApiDocument());
  r.get('/api/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  return r;
}
