import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

// Content is text, never HTML: no source file of the client may reach for an HTML sink.
// (The browser test web-xss proves the same from the outside.)
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
const SINKS = /dangerouslySetInnerHTML|\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(|createContextualFragment|srcdoc/;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return /\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

test('no HTML sink anywhere in the web client', () => {
  const files = sources(SRC);
  assert.ok(files.length > 10, 'the sources were found');
  const hits = files.flatMap((f) =>
    fs
      .readFileSync(f, 'utf8')
      .split('\n')
      .map((line, i) => (SINKS.test(line) ? `${path.relative(SRC, f)}:${i + 1}: ${line.trim()}` : ''))
      .filter(Boolean),
  );
  assert.deepEqual(hits, []);
});

test('the check finds a sink when there is one', () => {
  assert.ok(SINKS.test('el.innerHTML = text'));
  assert.ok(SINKS.test('<div dangerouslySetInnerHTML={{ __html: x }} />'));
});
