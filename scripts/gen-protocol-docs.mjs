#!/usr/bin/env node
// Writes the machine-readable protocol (JSON Schemas, AsyncAPI, OpenAPI) generated from the
// zod schemas of packages/protocol into docs/protocol/. Run by `make docs` (and `make build`);
// a test fails when the committed files differ from what this writes.
import fs from 'node:fs';
import path from 'node:path';
import { protocolDocuments } from '@im/protocol';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dir = path.join(root, 'docs', 'protocol');
const files = protocolDocuments();
fs.rmSync(path.join(dir, 'schemas'), { recursive: true, force: true });
for (const [name, text] of Object.entries(files)) {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
console.log(`wrote ${Object.keys(files).length} files to docs/protocol/`);
