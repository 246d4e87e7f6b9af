import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { ImClient, newCid, uploadAndSend, type ImError, type ImSocket } from '@im/client';
import { Kind, type ImEvent, type UploadedFile } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const code = (expected: string, field?: string) => (e: ImError) => e.code === expected && (field === undefined || e.field === field);
const MAX = 4000;

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** A raw upload, for looking at statuses and headers. */
async function post(cluster: Cluster, token: string | undefined, body: Uint8Array, query: Record<string, string>, contentType = 'application/octet-stream') {
  const url = new URL('/api/files', cluster.gatewayUrl);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const headers: Record<string, string> = { 'content-type': contentType };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, json: (await res.json().catch(() => ({}))) as { error?: { code: string; field?: string } } & Partial<UploadedFile> };
}

async function get(url: string, token: string | undefined, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('files on the local filesystem', () => {
  let cluster: Cluster;
  let filesDir: string;
  let alice: TestUser, bob: TestUser, carol: TestUser, dave: TestUser;
  let sa: ImSocket, sb: ImSocket, sc: ImSocket, sd: ImSocket;
  let pair: string;
  let report: UploadedFile;
  const bytes = crypto.randomBytes(3000);

  before(async () => {
    filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'im-e2e-files-'));
    cluster = await startCluster({
      gatewayEnv: { MAX_FILE_BYTES: String(MAX), FILES_DIR: filesDir },
      seakingEnv: { FILE_QUOTA_BYTES: '20000', FILE_QUOTA_FILES: '6' },
    });
    [alice, bob, carol, dave] = (await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => newUser(cluster, n)))) as [TestUser, TestUser, TestUser, TestUser];
    [sa, sb, sc, sd] = (await Promise.all([alice, bob, carol, dave].map((u) => u.connect()))) as [ImSocket, ImSocket, ImSocket, ImSocket];
    pair = await befriend(sa, sb, bob.userId);
  });

  after(async () => {
    for (const s of [sa, sb, sc, sd]) s?.terminate();
    await cluster?.stop();
    fs.rmSync(filesDir, { recursive: true, force: true });
  });

  test('an upload answers 201 with its id, URL, size, type and SHA-256, and its uploader can read it', async () => {
    report = await cluster.http.uploadFile(alice.session.token, bytes, { name: 'résumé 报告.pdf', mime: 'Application/PDF; charset=binary' });
    assert.match(report.file_id, /^f[0-9a-z]+$/);
    assert.equal(report.url, `${cluster.gatewayUrl}/api/files/${report.file_id}`);
    assert.deepEqual([report.size, report.mime, report.sha256], [3000, 'application/pdf', crypto.createHash('sha256').update(bytes).digest('hex')]);
    const r = await get(report.url, alice.session.token);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, bytes);
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    assert.equal(r.headers.get('content-length'), '3000');
    assert.equal(r.headers.get('accept-ranges'), 'bytes');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('content-disposition'), `inline; filename="r?sum? ??.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E6%8A%A5%E5%91%8A.pdf`);
    // The token may come as a query parameter (for <img src>).
    assert.equal((await get(`${report.url}?token=${encodeURIComponent(alice.session.token)}`, undefined)).status, 200);
  });

  test('Range requests: 206 with Content-Range, 416 past the end, the whole file for several ranges', async () => {
    const head = await get(report.url, alice.session.token, { range: 'bytes=0-9' });
    assert.deepEqual([head.status, head.headers.get('content-range'), head.body], [206, 'bytes 0-9/3000', bytes.subarray(0, 10)]);
    const tail = await get(report.url, alice.session.token, { range: 'bytes=-5' });
    assert.deepEqual([tail.status, tail.headers.get('content-range'), tail.body], [206, 'bytes 2995-2999/3000', bytes.subarray(2995)]);
    const open = await get(report.url, alice.session.token, { range: 'bytes=2990-' });
    assert.deepEqual([open.status, open.body.length], [206, 10]);
    const beyond = await get(report.url, alice.session.token, { range: 'bytes=5000-6000' });
    assert.deepEqual([beyond.status, beyond.headers.get('content-range')], [416, 'bytes */3000']);
    const several = await get(report.url, alice.session.token, { range: 'bytes=0-1,10-11' });
    assert.deepEqual([several.status, several.body.length], [200, 3000]);
  });

  test('others read a file only once it was sent to a conversation of theirs, after they joined', async () => {
    assert.equal((await get(report.url, bob.session.token)).status, 404);
    const pushed = sb.next<ImEvent>('event', (e) => e.kind === Kind.FILE);
    const ack = await sa.sendFile(pair, report, { name: 'résumé 报告.pdf', caption: 'my cv' });
    const event = await pushed;
    assert.deepEqual(event.tags.slice(0, 5), [['url', report.url], ['m', 'application/pdf'], ['size', '3000'], ['x', report.sha256], ['name', 'résumé 报告.pdf']]);
    const r = await get(report.url, bob.session.token);
    assert.deepEqual([r.status, r.body], [200, bytes]);
    assert.equal((await get(report.url, carol.session.token)).status, 404);
    // A group member who joined after the file was sent cannot read it.
    const { group, conversation_id } = await sa.request('create_group', { name: 'Docs', member_ids: [bob.userId] });
    const holiday = await cluster.http.uploadFile(alice.session.token, Buffer.from('beach'), { name: 'plan.txt', mime: 'text/plain' });
    await sa.sendFile(conversation_id, holiday, { name: 'plan.txt' });
    await sa.request('add_group_members', { group_id: group.group_id, user_ids: [dave.userId] });
    assert.equal((await get(holiday.url, bob.session.token)).status, 200);
    assert.equal((await get(holiday.url, dave.session.token)).status, 404);
    // A revoked file event no longer gives access.
    await sa.sendEvent({ conversation_id: pair, kind: Kind.REVOKE, content: '', tags: [['e', ack.event_id]], cid: newCid() });
    assert.equal((await get(report.url, bob.session.token)).status, 404);
    assert.equal((await get(report.url, alice.session.token)).status, 200);
  });

  test("the SDK downloads a file from its own gateway whatever host the URL names, and never sends the token elsewhere", async () => {
    // A file event's URL is its sender's to write: one naming another host must not get the token.
    const seen: Array<string | undefined> = [];
    const elsewhere = http.createServer((req, res) => (seen.push(req.headers.authorization), res.end('x')));
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
    try {
      const foreign = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}${new URL(report.url).pathname}`;
      const res = await new ImClient({ url: cluster.gatewayUrl, session: alice.session }).downloadFile(foreign);
      assert.deepEqual([res.status, Buffer.from(await res.arrayBuffer())], [200, bytes]);
      const ranged = await cluster.http.downloadFile(alice.session.token, foreign, { range: 'bytes=0-9' });
      assert.deepEqual([ranged.status, Buffer.from(await ranged.arrayBuffer())], [206, bytes.subarray(0, 10)]);
      await assert.rejects(cluster.http.downloadFile(alice.session.token, `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}/doc.pdf`), code('bad_request', 'url'));
      assert.deepEqual(seen, []);
    } finally {
      elsewhere.close();
    }
  });

  test('downloads need a valid token; unknown files are 404', async () => {
    assert.equal((await get(report.url, undefined)).status, 401);
    assert.equal((await get(report.url, 'not-a-token')).status, 401);
    assert.equal((await get(`${cluster.gatewayUrl}/api/files/f0000000000000000`, alice.session.token)).status, 404);
    assert.equal((await get(`${cluster.gatewayUrl}/api/files/..%2F..%2Fetc`, alice.session.token)).status, 404);
  });

  test('a file event may point at an uploaded file only when its sender can read the file', async () => {
    const cd = await befriend(sc, sd, dave.userId);
    const event = (url: string) => ({ conversation_id: cd, kind: Kind.FILE, content: '', tags: [['url', url], ['m', 'application/pdf'], ['size', '3000']], cid: newCid() });
    await assert.rejects(sc.sendEvent(event(report.url)), code('forbidden', 'tags'));
    await assert.rejects(sc.sendEvent(event(`${cluster.gatewayUrl}/api/files/f0000000000000000`)), code('not_found', 'tags'));
    assert.equal((await get(report.url, dave.session.token)).status, 404);
    // Files stored elsewhere are sent as they are.
    assert.equal((await sc.sendEvent(event('https://elsewhere.example/doc.pdf'))).seq, 1);
  });

  test('uploadAndSend uploads a stream and sends the file event in one call', async () => {
    const body = Readable.from([Buffer.from('<html><script>alert(1)</script></html>')]);
    const pushed = sb.next<ImEvent>('event', (e) => e.kind === Kind.FILE && e.content === 'page');
    const { file, ack } = await uploadAndSend(cluster.http, sa, alice.session.token, pair, body, { name: 'page.html', mime: 'text/html', caption: 'page' });
    assert.equal((await pushed).id, ack.event_id);
    const r = await get(file.url, bob.session.token);
    assert.equal(r.status, 200);
    // Never shown as a page of this origin.
    assert.match(r.headers.get('content-disposition')!, /^attachment; filename="?page\.html"?$/);
    assert.match(r.headers.get('content-security-policy')!, /sandbox/);
  });

  test('ImClient.uploadAndSend uploads, sends the file event through the outbox, and the receiver downloads it', async () => {
    const client = new ImClient({ url: cluster.gatewayUrl, session: alice.session });
    await client.connect();
    try {
      const pushed = sb.next<ImEvent>('event', (e) => e.kind === Kind.FILE && e.content === 'the minutes');
      const { file, ack } = await client.uploadAndSend(pair, Buffer.from('minutes of the meeting'), { name: 'minutes.txt', mime: 'text/plain', caption: 'the minutes' });
      const event = await pushed;
      assert.equal(event.id, ack.event_id);
      assert.deepEqual(event.tags.slice(0, 5), [['url', file.url], ['m', 'text/plain'], ['size', '22'], ['name', 'minutes.txt'], ['x', file.sha256]]);
      const r = await get(file.url, bob.session.token);
      assert.deepEqual([r.status, r.body.toString()], [200, 'minutes of the meeting']);
    } finally {
      await client.close();
    }
  });

  test('upload refusals: token, name, content type and size, each with its code and field', async () => {
    const token = carol.session.token;
    const tiny = Buffer.from('x');
    const check = async (r: Awaited<ReturnType<typeof post>>, status: number, errorCode: string, field?: string) => {
      assert.equal(r.status, status, JSON.stringify(r.json));
      assert.equal(r.json.error?.code, errorCode);
      if (field !== undefined) assert.equal(r.json.error?.field, field);
    };
    await check(await post(cluster, undefined, tiny, { name: 'a.txt' }), 401, 'unauthorized');
    await check(await post(cluster, 'bad', tiny, { name: 'a.txt' }), 401, 'unauthorized');
    await check(await post(cluster, token, tiny, {}), 400, 'bad_request', 'name');
    await check(await post(cluster, token, tiny, { name: '' }), 400, 'bad_request', 'name');
    await check(await post(cluster, token, tiny, { name: 'n'.repeat(256) }), 400, 'bad_request', 'name');
    await check(await post(cluster, token, tiny, { name: '../../etc/passwd' }), 400, 'bad_request', 'name');
    await check(await post(cluster, token, tiny, { name: 'a\\b' }), 400, 'bad_request', 'name');
    await check(await post(cluster, token, tiny, { name: '..' }), 400, 'bad_request', 'name');
    await check(await post(cluster, token, tiny, { name: 'a\u0000b' }), 400, 'bad_request', 'name');
    await check(await post(cluster, token, tiny, { name: 'line\nbreak' }), 400, 'bad_request', 'name');
    await check(await post(cluster, token, tiny, { name: 'a.txt' }, 'not a type'), 400, 'bad_request', 'content-type');
    const before = filesUnder(filesDir).length;
    await check(await post(cluster, token, crypto.randomBytes(MAX + 1), { name: 'big.bin' }), 413, 'too_large');
    // Nothing of a refused upload stays behind.
    assert.equal(filesUnder(filesDir).length, before);
    assert.ok(filesUnder(filesDir).every((f) => !f.endsWith('.part')));
    const exact = await post(cluster, token, crypto.randomBytes(MAX), { name: 'exact.bin' });
    assert.equal(exact.status, 201);
  });

  test('a file whose bytes storage lost answers a JSON error, without the file\'s headers', async () => {
    const lost = await cluster.http.uploadFile(alice.session.token, Buffer.from('soon gone'), { name: 'lost.txt', mime: 'text/plain' });
    const stored = filesUnder(filesDir).filter((f) => f.includes(lost.file_id));
    assert.equal(stored.length, 1);
    fs.rmSync(stored[0]!);
    const res = await fetch(lost.url, { headers: { authorization: `Bearer ${alice.session.token}` } });
    const body = (await res.json()) as { error?: { code: string } };
    assert.deepEqual([res.status, res.headers.get('content-type'), body.error?.code], [500, 'application/json; charset=utf-8', 'internal']);
    assert.equal(res.headers.get('content-disposition'), null);
  });

  test('a streamed upload past the limit is cut off with 413 and leaves nothing', async () => {
    const before = filesUnder(filesDir).length;
    const body = Readable.from((function* () {
      for (let i = 0; i < 10; i++) yield crypto.randomBytes(1000);
    })());
    await assert.rejects(cluster.http.uploadFile(dave.session.token, body, { name: 'stream.bin' }), code('too_large'));
    assert.equal(filesUnder(filesDir).length, before);
  });

  test('the daily quota: bytes and files per user, 429 with Retry-After', async () => {
    const q = await newUser(cluster, 'quota');
    for (let i = 0; i < 4; i++) assert.equal((await post(cluster, q.session.token, crypto.randomBytes(4000), { name: `q${i}` })).status, 201);
    assert.equal((await post(cluster, q.session.token, crypto.randomBytes(3000), { name: 'q4' })).status, 201);
    const before = filesUnder(filesDir).length;
    // 19,000 of 20,000 bytes used: a 3,000-byte upload is stopped at the quota.
    const over = await post(cluster, q.session.token, crypto.randomBytes(3000), { name: 'q5' });
    assert.deepEqual([over.status, over.json.error?.code], [429, 'rate_limited']);
    const retry = Number(over.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 86400, `Retry-After ${retry}`);
    assert.equal(filesUnder(filesDir).length, before);
    assert.equal((await post(cluster, q.session.token, crypto.randomBytes(1000), { name: 'q6' })).status, 201);
    const full = await post(cluster, q.session.token, Buffer.from('x'), { name: 'q7' });
    assert.deepEqual([full.status, full.json.error?.code, Number(full.headers.get('retry-after')) > 0], [429, 'rate_limited', true]);
    // Six files a day, however small.
    const n = await newUser(cluster, 'count');
    for (let i = 0; i < 6; i++) assert.equal((await post(cluster, n.session.token, Buffer.from('y'), { name: `n${i}` })).status, 201);
    const seventh = await post(cluster, n.session.token, Buffer.from('y'), { name: 'n6' });
    assert.deepEqual([seventh.status, seventh.json.error?.code], [429, 'rate_limited']);
  });
});

describe('files in an S3-compatible bucket', () => {
  let cluster: Cluster;
  let s3: S3rver;
  let s3Dir: string;
  let client: S3Client;
  let alice: TestUser;

  before(async () => {
    s3Dir = fs.mkdtempSync(path.join(os.tmpdir(), 'im-e2e-s3-'));
    s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Dir, configureBuckets: [{ name: 'im-files', configs: [] }] });
    const { port } = await s3.run();
    const endpoint = `http://127.0.0.1:${port}`;
    client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    cluster = await startCluster({ gatewayEnv: { MAX_FILE_BYTES: String(6 * 1024 * 1024), S3_URL: `http://S3RVER:S3RVER@127.0.0.1:${port}/im-files` } });
    alice = await newUser(cluster, 'alice');
  });

  after(async () => {
    client?.destroy();
    await cluster?.stop();
    await s3?.close();
    fs.rmSync(s3Dir, { recursive: true, force: true });
  });

  const keys = async () => ((await client.send(new ListObjectsV2Command({ Bucket: 'im-files' }))).Contents ?? []).map((o) => o.Key);

  test('uploads land in the bucket under the file id and are served with ranges', async () => {
    const bytes = crypto.randomBytes(5 * 1024 * 1024 + 17);
    const file = await cluster.http.uploadFile(alice.session.token, Readable.from([bytes.subarray(0, 3_000_000), bytes.subarray(3_000_000)]), { name: 'video.mp4', mime: 'video/mp4' });
    assert.deepEqual([file.size, file.sha256], [bytes.length, crypto.createHash('sha256').update(bytes).digest('hex')]);
    assert.deepEqual(await keys(), [file.file_id]);
    const whole = await get(file.url, alice.session.token);
    assert.deepEqual([whole.status, whole.headers.get('content-type'), whole.body.equals(bytes)], [200, 'video/mp4', true]);
    // A range past the end is cut at the end.
    const part = await get(file.url, alice.session.token, { range: 'bytes=5242880-5242999' });
    assert.deepEqual([part.status, part.headers.get('content-range'), part.body], [206, `bytes 5242880-5242896/${bytes.length}`, bytes.subarray(5242880)]);
    const middle = await get(file.url, alice.session.token, { range: 'bytes=1000-1009' });
    assert.deepEqual([middle.status, middle.body], [206, bytes.subarray(1000, 1010)]);
  });

  test('an upload past MAX_FILE_BYTES leaves nothing in the bucket', async () => {
    const before = await keys();
    const body = Readable.from((function* () {
      for (let i = 0; i < 7; i++) yield crypto.randomBytes(1024 * 1024);
    })());
    await assert.rejects(cluster.http.uploadFile(alice.session.token, body, { name: 'huge.bin' }), code('too_large'));
    assert.deepEqual(await keys(), before);
  });

  test('a download the client abandons midway ends that response only: the gateway serves everyone else', async () => {
    const bytes = crypto.randomBytes(5 * 1024 * 1024);
    const file = await cluster.http.uploadFile(alice.session.token, bytes, { name: 'big.bin' });
    const socket = await alice.connect();
    try {
      // Several readers hang up after their first chunk, mid-body.
      await Promise.all(
        Array.from({ length: 3 }, () =>
          new Promise<void>((resolve, reject) => {
            const req = http.get(file.url, { headers: { authorization: `Bearer ${alice.session.token}` } }, (res) => {
              if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
              res.once('data', () => {
                req.destroy();
                resolve();
              });
            });
            // A gateway that went down with the first reader fails the others: they end too.
            req.on('error', () => resolve());
          }),
        ),
      );
      await new Promise((r) => setTimeout(r, 300));
      // The same gateway still answers HTTP, downloads and its sockets.
      assert.equal((await fetch(`${cluster.gatewayUrl}/health`)).status, 200);
      const whole = await get(file.url, alice.session.token);
      assert.deepEqual([whole.status, whole.body.equals(bytes)], [200, true]);
      assert.ok(await socket.request('get_conversations', {}));
    } finally {
      socket.terminate();
    }
  });
});
