import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPreviewableImage, safeUrl } from './safe-url.js';

const BASE = 'https://chat.example.com/';

test('http(s) URLs and paths on the gateway pass', () => {
  assert.equal(safeUrl('https://files.example.com/a.png', BASE), 'https://files.example.com/a.png');
  assert.equal(safeUrl('http://x.test/b', BASE), 'http://x.test/b');
  assert.equal(safeUrl('/api/files/abc', BASE), 'https://chat.example.com/api/files/abc');
});

test('script, data and other schemes never become links', () => {
  for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'file:///etc/passwd', 'blob:https://x/y']) {
    assert.equal(safeUrl(bad, BASE), undefined, bad);
  }
  assert.equal(safeUrl('http://[bad', BASE), undefined);
});

test('only common raster images are previewed inline (no SVG, which can hold script)', () => {
  assert.ok(isPreviewableImage('image/png'));
  assert.ok(isPreviewableImage('image/JPEG'));
  assert.ok(!isPreviewableImage('image/svg+xml'));
  assert.ok(!isPreviewableImage('text/html'));
});
