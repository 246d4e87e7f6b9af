import { pipeline } from 'node:stream/promises';
import { create as contentDisposition } from 'content-disposition';
import express from 'express';
import rangeParser from 'range-parser';
import { z } from 'zod';
import { AppError, FILE_PATH_PREFIX, MediaType, notFound, parse, tooLarge, unauthorized, UploadQuery, type FileInfo, type UploadedFile } from '@im/protocol';
import { errorFields, type Logger } from '@im/kit';
import { tokenFrom, type TokenVerifier } from '../auth/tokens.js';
import type { RelayClient, SeakingClient } from '../clients/services.js';
import { canReadFile } from '../files/access.js';
import { Meter, TooManyBytes } from '../files/meter.js';
import type { FileStore } from '../files/store.js';
import { route, sendError } from './errors.js';

export interface FileRoutesDeps {
  seaking: SeakingClient;
  relay: RelayClient;
  verifier: TokenVerifier;
  store: FileStore;
  logger: Logger;
  maxFileBytes: number;
}

/** Types a browser may show inline; everything else downloads, so no upload runs as a page. */
const INLINE = /^(image\/(png|jpeg|gif|webp|avif|bmp)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+|text\/plain|application\/pdf)$/;

const DAY_MS = 86_400_000;

const ContentTypeHeader = z.object({ 'content-type': MediaType.optional() });

/** The user of a request's access token (header, or `token` query parameter where allowed); 401 otherwise. */
async function authenticate(req: express.Request, deps: FileRoutesDeps, allowQuery: boolean): Promise<string> {
  const token = tokenFrom(req.headers.authorization, allowQuery ? new URL(req.originalUrl, 'http://gateway') : undefined);
  const claims = token ? deps.verifier.verify(token) : undefined;
  if (!claims) throw unauthorized('missing, invalid or expired token');
  // A revoked session's token must stop working here too.
  await deps.seaking.call('seaking.validateToken', { token: token! });
  return claims.user_id;
}

/**
 * POST /api/files streams the body to the file store (never whole in memory), counting and
 * hashing as it goes; GET of the returned URL serves the file, with ranges, to whoever may
 * read it. Mounted before any body parser, so the body arrives untouched.
 */
export function fileRoutes(deps: FileRoutesDeps): express.Router {
  const r = express.Router();
  const { seaking, store, logger } = deps;

  r.post('/api/files', async (req, res) => {
    let upload: { userId: string; fileId: string } | undefined;
    let meter: Meter | undefined;
    try {
      const userId = await authenticate(req, deps, false);
      const { name } = parse(UploadQuery, { name: typeof req.query.name === 'string' ? req.query.name : undefined }, 'query');
      const mime = parse(ContentTypeHeader, { 'content-type': req.headers['content-type'] })['content-type'] ?? 'application/octet-stream';
      const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
      if (declared !== undefined && declared > deps.maxFileBytes) throw tooLarge(`a file may hold at most ${deps.maxFileBytes} bytes`);
      const begun = await seaking.call('seaking.beginUpload', { user_id: userId, name, mime });
      upload = { userId, fileId: begun.file_id };
      const limit = Math.min(deps.maxFileBytes, begun.remaining_bytes);
      meter = new Meter(limit);
      // The request is piped, not handed to pipeline(): a refusal must stop reading without
      // destroying the socket, so the client still hears why.
      const m = meter;
      // On failure stop feeding the meter; the listener also keeps a late write into the
      // failed meter from becoming an unhandled error.
      m.on('error', () => req.unpipe(m));
      req.once('aborted', () => m.destroy(new Error('client went away')));
      req.pipe(m);
      await store.put(begun.file_id, meter, mime);
      const { file } = await seaking.call('seaking.completeUpload', { user_id: userId, file_id: begun.file_id, size: meter.bytes, sha256: meter.digest() });
      upload = undefined;
      const body: UploadedFile = { file_id: file.file_id, url: `${req.protocol}://${req.get('host')}${FILE_PATH_PREFIX}${file.file_id}`, size: file.size, mime: file.mime, sha256: file.sha256 };
      res.status(201).json(body);
    } catch (err) {
      if (upload) {
        const { userId, fileId } = upload;
        await store.delete(fileId).catch((e: unknown) => logger.warn('could not delete a refused upload', { file_id: fileId, ...errorFields(e) }));
        await seaking.call('seaking.abortUpload', { user_id: userId, file_id: fileId }).catch(() => undefined);
      }
      let refusal = err;
      if (err instanceof TooManyBytes || meter?.exceeded) {
        refusal =
          (meter?.bytes ?? 0) > deps.maxFileBytes
            ? tooLarge(`a file may hold at most ${deps.maxFileBytes} bytes`)
            : new AppError('rate_limited', 'daily upload quota reached; try again tomorrow (UTC)', undefined, Math.ceil((DAY_MS - (Date.now() % DAY_MS)) / 1000));
      }
      // The rest of the body is not read: close the connection once the answer is out.
      if (!req.complete) {
        req.unpipe();
        res.set('Connection', 'close');
        res.once('finish', () => req.destroy());
      }
      if (!res.headersSent) sendError(res, refusal, logger);
      else res.destroy();
    }
  });

  r.get(
    `${FILE_PATH_PREFIX}:file_id`,
    route(logger, async (req, res) => {
      const userId = await authenticate(req, deps, true);
      const fileId = String(req.params.file_id);
      const file = await findReadable(deps, userId, fileId);
      const ranges = req.headers.range === undefined ? undefined : rangeParser(file.size, req.headers.range, { combine: true });
      res.set({
        'Content-Type': file.mime,
        'Content-Disposition': contentDisposition(file.name, { type: INLINE.test(file.mime) ? 'inline' : 'attachment' }),
        'Accept-Ranges': 'bytes',
        ETag: `"${file.sha256}"`,
        'Cache-Control': 'private, max-age=3600',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
      });
      if (ranges === -1) {
        res.status(416).set('Content-Range', `bytes */${file.size}`).end();
        return;
      }
      // Malformed ranges and several ranges at once get the whole file (RFC 9110 allows it).
      const range = Array.isArray(ranges) && ranges.length === 1 && ranges.type === 'bytes' ? ranges[0]! : undefined;
      if (range) res.status(206).set({ 'Content-Range': `bytes ${range.start}-${range.end}/${file.size}`, 'Content-Length': String(range.end - range.start + 1) });
      else res.status(200).set('Content-Length', String(file.size));
      if (req.method === 'HEAD' || file.size === 0) {
        res.end();
        return;
      }
      await pipeline(await store.read(file.file_id, range), res);
    }),
  );

  return r;
}

/** The file if the user may read it; unknown and forbidden alike are 404. */
async function findReadable(deps: FileRoutesDeps, userId: string, fileId: string): Promise<FileInfo> {
  const hidden = () => notFound('no such file');
  if (!/^[A-Za-z0-9]{1,64}$/.test(fileId)) throw hidden();
  const { file } = await deps.seaking.call('seaking.getFile', { file_id: fileId }).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') throw hidden();
    throw err;
  });
  if (!(await canReadFile(deps, userId, file))) throw hidden();
  return file;
}
