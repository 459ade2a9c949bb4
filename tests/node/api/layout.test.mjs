// The layout of sdk-wasm/js/api/ (scripts/build-wasm.sh): one module per concern, each
// opening with what it holds and what it imports, no state at module level, no import cycle;
// and of the typings in sdk-wasm/js/types/, one file per concern, index.d.ts re-exporting each.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { cycleOf, importsOf } from '../../../scripts/esm-to-cjs.mjs';
import { root } from '../vectors.mjs';

const dir = path.join(root, 'sdk-wasm/js/api');
const modules = new Map(
  fs.readdirSync(dir).filter((f) => f.endsWith('.mjs')).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
);

// The leading comment, as one line of text.
const headerOf = (source) => source.match(/^(?:\/\/[^\n]*\n)*/)[0].replace(/^\/\/ ?/gm, '').replace(/\s+/g, ' ');

describe('sdk-wasm/js/api/', () => {
  it('each module opens with the layout line, and says what it imports, exactly', () => {
    for (const [file, source] of modules) {
      const header = headerOf(source);
      assert.ok(header.startsWith("paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh):"), `${file}: ${header.slice(0, 80)}`);
      const said = header.match(/Imports (nothing|[\w.-]+\.mjs(?:, [\w.-]+\.mjs)*)\.\s*$/);
      assert.ok(said, `${file}: the header ends with "Imports nothing." or "Imports a.mjs, b.mjs."`);
      const imported = importsOf(source).map((s) => s.replace(/^\.\//, '')).sort();
      assert.deepEqual(said[1] === 'nothing' ? [] : said[1].split(', ').sort(), imported, file);
    }
  });

  it('no module keeps state of its own: no let or var at module level', () => {
    for (const [file, source] of modules) {
      assert.doesNotMatch(source, /^(export\s+)?(let|var)\s/m, file);
    }
  });

  it('the imports form no cycle', () => {
    const graph = new Map([...modules].map(([file, source]) => [file, importsOf(source).map((s) => s.replace(/^\.\//, ''))]));
    assert.equal(cycleOf(graph), null);
  });
});

describe('sdk-wasm/js/types/', () => {
  const types = path.join(root, 'sdk-wasm/js/types');
  const files = fs.readdirSync(types).filter((f) => f.endsWith('.d.ts'));

  it('index.d.ts re-exports every file and declares nothing itself', () => {
    const index = fs.readFileSync(path.join(root, 'sdk-wasm/js/index.d.ts'), 'utf8');
    const reexported = [...index.matchAll(/^export \* from '\.\/types\/([\w-]+)\.js';$/gm)].map((m) => `${m[1]}.d.ts`);
    assert.deepEqual(reexported.slice().sort(), files.slice().sort());
    const code = index.split('\n').filter((line) => line !== '' && !line.startsWith('//'));
    assert.equal(code.length, files.length, 'only the re-exports');
  });

  it('each file opens with its layout line', () => {
    for (const file of files) {
      const header = headerOf(fs.readFileSync(path.join(types, file), 'utf8'));
      assert.ok(header.startsWith(`paysign's typings, types/${file} (layout: index.d.ts):`), `${file}: ${header.slice(0, 80)}`);
    }
  });
});
