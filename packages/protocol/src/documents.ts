import { z } from 'zod';
import { CommandSchemas, type CommandName } from './commands.js';
import { ERROR_CODES } from './errors.js';
import { CloseCode } from './frames.js';
import { FileName } from './files.js';
import { AuthCodeBody, CodeLoginBody, LoginBody, RefreshBody, RegisterBody } from './http.js';
import { PROTOCOL_VERSION } from './limits.js';
import { AckSchema, ErrorBodySchema, EventSchema, NoticeSchema, ResultSchemas, SessionSchema, TransientEventSchema, UploadedFileSchema, UserSchema } from './results.js';

/**
 * The machine-readable protocol, generated from the zod schemas (the single source): a JSON
 * Schema for every command's data and result, an AsyncAPI 3 document of the WebSocket
 * protocol and an OpenAPI 3.1 document of the HTTP API. Pure: `scripts/gen-protocol-docs.mjs`
 * writes them to docs/protocol/, the gateway serves the OpenAPI one, and a test checks the
 * committed files equal what this produces.
 */

type Json = Record<string, unknown>;

function schema(s: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete out.$schema;
  return out;
}

function withDialect(s: Json, id: string): Json {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: id, ...s };
}

const COMMANDS = Object.keys(CommandSchemas) as CommandName[];

/** `schemas/<cmd>.data.json` (what the client sends as `data`) and `schemas/<cmd>.result.json` (the reply's `data`). */
export function commandSchemas(): Record<string, Json> {
  const files: Record<string, Json> = {};
  for (const cmd of COMMANDS) {
    files[`schemas/${cmd}.data.json`] = withDialect(schema(CommandSchemas[cmd], 'input'), `${cmd}.data.json`);
    files[`schemas/${cmd}.result.json`] = withDialect(schema(ResultSchemas[cmd], 'output'), `${cmd}.result.json`);
  }
  return files;
}

const REPLY_CMD: Partial<Record<CommandName, string>> = { event: 'ack', ping: 'pong' };

export function asyncApiDocument(): Json {
  const messages: Json = {};
  const operations: Json = {};
  const envelope = (cmd: string | string[], data: Json, withId: 'required' | 'optional' | 'none') => ({
    type: 'object',
    required: ['cmd', ...(withId === 'required' ? ['id'] : []), 'data'],
    properties: {
      cmd: Array.isArray(cmd) ? { enum: cmd } : { const: cmd },
      ...(withId === 'none' ? {} : { id: { type: 'integer', minimum: 1, maximum: 4294967295 } }),
      data,
    },
  });
  for (const cmd of COMMANDS) {
    const replyCmd = REPLY_CMD[cmd] ?? 'result';
    messages[cmd] = {
      name: cmd,
      title: `${cmd} request`,
      summary: `Client frame {cmd: "${cmd}", id?, data}`,
      payload: envelope(cmd, schema(CommandSchemas[cmd], 'input'), 'optional'),
    };
    messages[`${cmd}.reply`] = {
      name: `${cmd}.reply`,
      title: `${cmd} reply`,
      summary: `Server frame {cmd: "${replyCmd}", id, data}`,
      payload: envelope(replyCmd, schema(ResultSchemas[cmd], 'output'), 'required'),
    };
    operations[cmd] = {
      action: 'send',
      channel: { $ref: '#/channels/ws' },
      messages: [{ $ref: `#/channels/ws/messages/${cmd}` }],
      reply: { channel: { $ref: '#/channels/ws' }, messages: [{ $ref: `#/channels/ws/messages/${cmd}.reply` }, { $ref: '#/channels/ws/messages/error' }] },
    };
  }
  messages.error = {
    name: 'error',
    summary: 'Failure of a request (with its id) or of a frame sent without id',
    payload: envelope('error', { ...schema(ErrorBodySchema, 'output'), properties: { code: { enum: [...ERROR_CODES] }, message: { type: 'string' }, field: { type: 'string' } } }, 'optional'),
  };
  messages['event.push'] = {
    name: 'event.push',
    summary: 'A conversation event pushed to the members’ other sockets; kinds 10 and 11 in their short form',
    payload: envelope('event', { anyOf: [schema(EventSchema, 'output'), schema(TransientEventSchema, 'output')] }, 'none'),
  };
  messages.notice = { name: 'notice', summary: 'Any other change that concerns the user (contract section 6)', payload: envelope('notice', schema(NoticeSchema, 'output'), 'none') };
  operations.receive_event = { action: 'receive', channel: { $ref: '#/channels/ws' }, messages: [{ $ref: '#/channels/ws/messages/event.push' }] };
  operations.receive_notice = { action: 'receive', channel: { $ref: '#/channels/ws' }, messages: [{ $ref: '#/channels/ws/messages/notice' }] };
  operations.receive_error = { action: 'receive', channel: { $ref: '#/channels/ws' }, messages: [{ $ref: '#/channels/ws/messages/error' }] };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'IM cluster WebSocket protocol',
      version: String(PROTOCOL_VERSION),
      description:
        'Binary WebSocket frames, each one MessagePack map. Client frames are {cmd, id?, data?}; a frame with an id gets exactly one reply with that id. ' +
        `Close codes: ${Object.entries(CloseCode)
          .map(([k, v]) => `${v} ${k.toLowerCase()}`)
          .join(', ')}. See protocol.md for the rules.`,
    },
    defaultContentType: 'application/msgpack',
    servers: {
      gateway: { host: '127.0.0.1:8080', protocol: 'ws', pathname: '/ws', description: 'The access token as query parameter `token` or an Authorization: Bearer header', security: [{ $ref: '#/components/securitySchemes/token' }] },
    },
    channels: { ws: { address: '/ws', messages } },
    operations,
    components: {
      securitySchemes: { token: { type: 'httpApiKey', name: 'token', in: 'query', description: 'Access token from /api/login' } },
    },
  };
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object', required: ['error'], properties: { error: { $ref: '#/components/schemas/Error' } } } } },
});

export function openApiDocument(): Json {
  const json = (s: Json) => ({ required: true, content: { 'application/json': { schema: s } } });
  const session = { description: 'Signed in', content: { 'application/json': { schema: { $ref: '#/components/schemas/Session' } } } };
  const common = { '400': errorResponse('bad_request'), '429': errorResponse('rate_limited (Retry-After)'), '503': errorResponse('unavailable') };
  return {
    openapi: '3.1.0',
    info: { title: 'IM cluster HTTP API', version: String(PROTOCOL_VERSION), description: 'The gateway’s HTTP API: accounts, sessions and files. Everything else goes over the WebSocket (see asyncapi.json).' },
    servers: [{ url: 'http://127.0.0.1:8080' }],
    paths: {
      '/api/register': { post: { operationId: 'register', requestBody: json(schema(RegisterBody, 'input')), responses: { '201': { description: 'Registered', content: { 'application/json': { schema: { type: 'object', properties: { user: { $ref: '#/components/schemas/User' } } } } } }, '409': errorResponse('conflict: field names what is taken'), ...common } } },
      '/api/login': { post: { operationId: 'login', requestBody: json(schema(LoginBody, 'input')), responses: { '200': session, '401': errorResponse('unauthorized'), ...common } } },
      '/api/auth/code': { post: { operationId: 'requestLoginCode', requestBody: json(schema(AuthCodeBody, 'input')), responses: { '204': { description: 'A code was mailed' }, ...common } } },
      '/api/login/code': { post: { operationId: 'loginWithCode', requestBody: json(schema(CodeLoginBody, 'input')), responses: { '200': session, '401': errorResponse('unauthorized'), ...common } } },
      '/api/refresh': { post: { operationId: 'refresh', requestBody: json(schema(RefreshBody, 'input')), responses: { '200': session, '401': errorResponse('unauthorized'), ...common } } },
      '/api/logout': { post: { operationId: 'logout', security: [{ bearer: [] }], responses: { '204': { description: 'The session is revoked; its sockets close with 4003' }, '401': errorResponse('unauthorized') } } },
      '/api/files': {
        post: {
          operationId: 'uploadFile',
          description: 'The body is the file, streamed to storage (Content-Length or chunked); Content-Type is its media type (default application/octet-stream).',
          security: [{ bearer: [] }],
          parameters: [{ name: 'name', in: 'query', required: true, schema: schema(FileName, 'input') }],
          requestBody: { required: true, content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
          responses: {
            '201': { description: 'Stored', content: { 'application/json': { schema: { $ref: '#/components/schemas/UploadedFile' } } } },
            '401': errorResponse('unauthorized'),
            '413': errorResponse('too_large: past MAX_FILE_BYTES'),
            ...common,
            '429': errorResponse('rate_limited: past the daily upload quota (Retry-After)'),
          },
        },
      },
      '/api/files/{file_id}': {
        get: {
          operationId: 'downloadFile',
          description:
            'Served to its uploader and to members of a conversation where a kind 3 event references it (within their join point); 404 to anyone else. HEAD answers the same headers without the body.',
          security: [{ bearer: [] }, { queryToken: [] }],
          parameters: [
            { name: 'file_id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9]{1,64}$' }, description: 'As in the url the upload returned' },
            { name: 'Range', in: 'header', required: false, schema: { type: 'string' }, description: 'One byte range, e.g. bytes=0-1023; a malformed one, or several, get the whole file' },
          ],
          responses: {
            '200': {
              description: 'The file, with Content-Type, Content-Disposition (inline for images, audio, video, plain text and PDF; attachment otherwise), Accept-Ranges and ETag (its sha256)',
              content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
            },
            '206': { description: 'The requested range, with Content-Range: bytes start-end/size' },
            '401': errorResponse('unauthorized'),
            '404': errorResponse('not_found: no such file, or not readable by this user'),
            '416': { description: 'The range lies past the end of the file (Content-Range: bytes */size)' },
            '503': errorResponse('unavailable'),
          },
        },
      },
      '/api/stats': { get: { operationId: 'stats', responses: { '200': { description: 'Counted across the cluster', content: { 'application/json': { schema: { type: 'object', properties: { online_users: { type: 'integer' }, connections: { type: 'integer' }, gateways: { type: 'integer' } } } } } } } } },
      '/api/openapi.json': { get: { operationId: 'openapi', responses: { '200': { description: 'This document' } } } },
      '/health': { get: { operationId: 'health', responses: { '200': { description: '{status: "ok", checks}' }, '503': { description: '{status: "degraded", checks}' } } } },
      '/metrics': { get: { operationId: 'metrics', responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        queryToken: { type: 'apiKey', in: 'query', name: 'token', description: 'The access token as query parameter, where a header cannot be set (an <img> or <a>)' },
      },
      schemas: {
        User: schema(UserSchema, 'output'),
        Session: schema(SessionSchema, 'output'),
        Error: { ...schema(ErrorBodySchema, 'output'), properties: { code: { enum: [...ERROR_CODES] }, message: { type: 'string' }, field: { type: 'string' } } },
        Ack: schema(AckSchema, 'output'),
        UploadedFile: schema(UploadedFileSchema, 'output'),
      },
    },
  };
}

/** Every generated file, path (under docs/protocol/) → text. */
export function protocolDocuments(): Record<string, string> {
  const files: Record<string, Json> = { ...commandSchemas(), 'asyncapi.json': asyncApiDocument(), 'openapi.json': openApiDocument() };
  return Object.fromEntries(Object.entries(files).map(([p, doc]) => [p, `${JSON.stringify(doc, null, 2)}\n`]));
}
