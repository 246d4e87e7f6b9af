import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { build, type Plugin } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const NODE_ONLY = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'ws']);

// Bundles `@im/client` as a browser app would (the package's "browser" export) and records
// every import of a Node built-in (or of `ws`): a browser has none of them.
test('the browser entry bundles without any Node built-in or ws', async () => {
  const found: string[] = [];
  const watch: Plugin = {
    name: 'node-only',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (NODE_ONLY.has(args.path) || args.path.startsWith('node:')) {
          found.push(`${args.path} (from ${path.relative(here, args.importer)})`);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
  const result = await build({
    stdin: { contents: "export { ImClient, ImSocket, ImHttp, IndexedDbStore } from '@im/client';", resolveDir: here, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [watch],
  });
  assert.deepEqual(found, []);
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((i) => i.includes('client/dist/client.js')), 'the bundle holds ImClient');
  assert.ok(inputs.some((i) => i.includes('client/dist/browser.js')), 'the browser entry was chosen');
  assert.ok(!inputs.some((i) => i.includes('platform-node')), 'the Node platform is left out');
});

test('the Node entry, bundled for Node, does pull in ws (the check above can fail)', async () => {
  const found: string[] = [];
  await build({
    entryPoints: [path.join(here, 'index.js')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'node-only',
        setup(b) {
          b.onResolve({ filter: /^ws$/ }, (args) => {
            found.push(args.path);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  assert.deepEqual(found, ['ws']);
});
