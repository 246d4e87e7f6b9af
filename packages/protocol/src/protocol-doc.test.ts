import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ALL_KINDS, CloseCode, COMMAND_NAMES, ERROR_CODES, RelayParams, SeakingParams } from './index.js';

// protocol.md is the protocol in our words; it must name everything the code speaks.
const doc = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../protocol.md'), 'utf8');

test('every command is documented', () => {
  for (const cmd of COMMAND_NAMES) assert.ok(doc.includes(`\`${cmd}\``), `protocol.md lacks command ${cmd}`);
});

test('every error code is documented', () => {
  for (const code of ERROR_CODES) assert.ok(doc.includes(`\`${code}\``), `protocol.md lacks error code ${code}`);
});

test('every kind is documented', () => {
  for (const kind of ALL_KINDS) assert.match(doc, new RegExp(`^\\| ${kind} \\|`, 'm'), `protocol.md lacks kind ${kind}`);
});

test('every close code is documented', () => {
  for (const code of Object.values(CloseCode)) assert.match(doc, new RegExp(`^\\| ${code} \\|`, 'm'), `protocol.md lacks close code ${code}`);
});

test('every internal RPC method is documented', () => {
  for (const method of [...Object.keys(SeakingParams), ...Object.keys(RelayParams)]) {
    assert.ok(doc.includes(`\`${method}\``), `protocol.md lacks RPC method ${method}`);
  }
});
