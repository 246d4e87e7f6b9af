import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMAND_NAMES } from '@im/protocol';
import { handlers } from './index.js';

test('every command has exactly one handler, and every handler a command', () => {
  assert.deepEqual([...handlers.keys()].sort(), [...COMMAND_NAMES].sort());
  for (const [name, h] of handlers) assert.equal(h.name, name);
});
