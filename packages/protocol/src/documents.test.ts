import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { COMMAND_NAMES, CommandSchemas } from './commands.js';
import { asyncApiDocument, openApiDocument, protocolDocuments } from './documents.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/protocol');

function committed(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.json')) out[path.relative(dir, full).split(path.sep).join('/')] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

test('the committed docs/protocol files are what the generator makes from the schemas now (run `make docs`)', () => {
  const want = protocolDocuments();
  const have = committed();
  assert.deepEqual(Object.keys(have).sort(), Object.keys(want).sort(), 'the same files');
  for (const [name, text] of Object.entries(want)) assert.equal(have[name], text, `docs/protocol/${name} is stale: run \`make docs\``);
});

test('every command of CommandSchemas is in the AsyncAPI document, with its request and reply', () => {
  const doc = asyncApiDocument() as { asyncapi: string; operations: Record<string, { action: string; reply?: unknown }>; channels: { ws: { messages: Record<string, unknown> } } };
  assert.equal(doc.asyncapi, '3.0.0');
  for (const cmd of COMMAND_NAMES) {
    assert.equal(doc.operations[cmd]?.action, 'send', `operation ${cmd}`);
    assert.ok(doc.operations[cmd]?.reply, `reply of ${cmd}`);
    assert.ok(doc.channels.ws.messages[cmd], `message ${cmd}`);
    assert.ok(doc.channels.ws.messages[`${cmd}.reply`], `reply message ${cmd}`);
  }
  assert.equal(Object.keys(CommandSchemas).length, COMMAND_NAMES.length);
});

test('every JSON reference in the documents points at something that exists', () => {
  for (const doc of [asyncApiDocument(), openApiDocument()]) {
    const refs: string[] = [];
    const collect = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' && typeof x === 'string' ? refs.push(x) : collect(x);
    };
    collect(doc);
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      let node: unknown = doc;
      for (const part of ref.replace(/^#\//, '').split('/')) node = (node as Record<string, unknown> | undefined)?.[part];
      assert.ok(node !== undefined, `${ref} resolves`);
    }
  }
});

test('the OpenAPI document has every HTTP API route of protocol.md section 1, with its method', () => {
  const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
  const table = fs.readFileSync(path.resolve(dir, '../../protocol.md'), 'utf8');
  // The rows of the HTTP table: | `METHOD /path` | ...; the web client's pages are not API.
  const routes = [...table.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`\s]*)`/gm)].map((m) => [m[1]!.toLowerCase(), m[2]!] as const).filter(([, p]) => p !== '/');
  assert.ok(routes.length >= 12, `found ${routes.length} routes in protocol.md`);
  for (const [method, p] of routes) assert.ok(doc.paths[p]?.[method], `${method.toUpperCase()} ${p}`);
});
