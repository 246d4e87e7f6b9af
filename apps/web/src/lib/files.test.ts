import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGatewayFile, uploadErrorText, uploadMime, uploadName, wantsThumbnail } from './files.js';

test('upload names are made acceptable to the server', () => {
  assert.equal(uploadName('report.pdf'), 'report.pdf');
  assert.equal(uploadName('  a\u0000b\tc.txt '), 'abc.txt');
  assert.equal(uploadName('dir/sub\\x.png'), 'dir_sub_x.png');
  for (const bad of ['', '   ', '.', '..', '\u0001']) assert.equal(uploadName(bad), 'file');
});

test('a long name is cut to 255 characters and keeps its extension and whole characters', () => {
  const long = `${'a'.repeat(300)}.jpeg`;
  const cut = uploadName(long);
  assert.equal(cut.length, 255);
  assert.ok(cut.endsWith('.jpeg'));
  const emoji = uploadName(`${'😀'.repeat(200)}.txt`);
  assert.ok(emoji.length <= 255);
  assert.ok(emoji.endsWith('😀.txt'), 'no half surrogate pair before the extension');
});

test('upload types: the browser guess when it is a media type, else octet-stream', () => {
  assert.equal(uploadMime('image/PNG'), 'image/png');
  assert.equal(uploadMime('text/plain; charset=utf-8'), 'text/plain');
  assert.equal(uploadMime(''), 'application/octet-stream');
  assert.equal(uploadMime('not a type'), 'application/octet-stream');
});

test('only files of this gateway are fetched with the token', () => {
  const origin = 'https://chat.example.com';
  assert.ok(isGatewayFile('https://chat.example.com/api/files/fabc0123456789', origin));
  assert.ok(isGatewayFile('/api/files/fabc0123456789', origin));
  assert.ok(!isGatewayFile('https://evil.example.com/api/files/fabc0123456789', origin));
  assert.ok(!isGatewayFile('https://chat.example.com/other/x', origin));
  assert.ok(!isGatewayFile('http://[bad', origin));
});

test('thumbnails only for common images of a sensible size', () => {
  assert.ok(wantsThumbnail('image/png', 1000));
  assert.ok(!wantsThumbnail('image/png', 50 * 1024 * 1024));
  assert.ok(!wantsThumbnail('image/svg+xml', 1000));
  assert.ok(!wantsThumbnail('application/pdf', 1000));
});

test('upload refusals say why', () => {
  assert.equal(uploadErrorText({ code: 'too_large', message: 'a file may hold at most 26214400 bytes' }), 'File not sent: files may hold at most 25 MB.');
  assert.equal(uploadErrorText({ code: 'too_large', message: 'payload too large' }), 'File not sent: it is too large.');
  assert.equal(uploadErrorText({ code: 'rate_limited', message: 'quota', retryAfter: 5000 }), 'File not sent: the daily upload limit is reached (try again in 2 h).');
  assert.equal(uploadErrorText({ code: 'bad_request', message: 'Name is invalid' }), 'File not sent: name is invalid');
});
