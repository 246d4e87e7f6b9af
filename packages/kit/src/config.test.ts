import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { ConfigError, cfg, readConfig } from './config.js';

const schema = z.object({ PORT: cfg.port(8080), JWT_SECRET: cfg.secret(), DEBUG: cfg.bool(false) });

test('reads, coerces and defaults environment values', () => {
  const c = readConfig(schema, { PORT: '9000', JWT_SECRET: 'a-very-long-secret', DEBUG: 'yes' });
  assert.deepEqual(c, { PORT: 9000, JWT_SECRET: 'a-very-long-secret', DEBUG: true });
  assert.equal(readConfig(schema, { JWT_SECRET: 'a-very-long-secret' }).PORT, 8080);
});

test('lists every problem and never echoes a value', () => {
  assert.throws(
    () => readConfig(schema, { PORT: 'eighty', JWT_SECRET: 'short' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 2);
      assert.ok(!err.message.includes('short'));
      return true;
    },
  );
});

test('a TOML file adds to the environment, which wins', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-')), 'c.toml');
  fs.writeFileSync(file, 'port = 7000\njwt_secret = "from-the-file-secret"\n');
  const c = readConfig(schema, { CONFIG_FILE: file, PORT: '7100' });
  assert.equal(c.PORT, 7100);
  assert.equal(c.JWT_SECRET, 'from-the-file-secret');
  assert.throws(() => readConfig(schema, { CONFIG_FILE: file + '.missing' }), ConfigError);
});
