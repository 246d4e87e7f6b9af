#!/usr/bin/env node
// Runs every compiled test file (unit tests beside the code, integration and end-to-end
// tests) with Node's built-in runner. Build first: `make test` does.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const only = process.argv.slice(2);

function find(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) find(full, out);
    else if (entry.name.endsWith('.test.js') && full.includes(`${path.sep}dist${path.sep}`)) out.push(full);
  }
  return out;
}

let files = ['packages', 'apps', 'services', 'test'].flatMap((d) => find(path.join(root, d), []));
if (only.length > 0) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('no test files found: run `make build` first');
  process.exit(1);
}
console.log(`running ${files.length} test files`);
const child = spawn(process.execPath, ['--test', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
