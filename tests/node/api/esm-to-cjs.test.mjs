// scripts/esm-to-cjs.mjs: the build's ES module → CommonJS transform accepts its subset
// only, refuses import cycles, bundles api/index.cjs (bundleOf), and the package's two
// builds of each API module export the same names.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import { bundleOf, cycleOf, importsOf, toCommonJs } from '../../../scripts/esm-to-cjs.mjs';
import { root } from '../vectors.mjs';

describe('toCommonJs', () => {
  it('imports become requires of the .cjs sibling, exported declarations module.exports', () => {
    const source = [
      '// header',
      '// more header',
      "import { a, b as c } from './x.mjs';",
      'import {',
      '  d,',
      "} from '../y.mjs';",
      '',
      'export function f() {}',
      'export async function g() {}',
      'export class C {}',
      'export const K = 1;',
      'function hidden() {}',
      '',
    ].join('\n');
    const { code, exports } = toCommonJs(source, 'm.mjs');
    assert.deepEqual(exports, ['f', 'g', 'C', 'K']);
    assert.equal(code, [
      '// header',
      '// more header',
      "'use strict';",
      "const { a, b: c } = require('./x.cjs');",
      "const { d } = require('../y.cjs');",
      '',
      'function f() {}',
      'async function g() {}',
      'class C {}',
      'const K = 1;',
      'function hidden() {}',
      '',
      'module.exports = { f, g, C, K };',
      '',
    ].join('\n'));
    assert.deepEqual(importsOf(source), ['./x.mjs', '../y.mjs']);
  });

  it('refuses what it does not handle, rather than guessing', () => {
    const refused = {
      "import x from './x.mjs';\nexport const a = 1;": /unsupported module syntax.*import x from/,
      "import * as x from './x.mjs';\nexport const a = 1;": /unsupported module syntax/,
      "import { x } from 'node:crypto';\nexport const a = 1;": /only relative imports/,
      "import { x } from './x.js';\nexport const a = 1;": /name the \.mjs file/,
      'export default 1;': /unsupported module syntax/,
      'const a = 1;\nexport { a };': /unsupported module syntax \(see scripts\/esm-to-cjs\.mjs\): export \{ a \};$/,
      "export * from './x.mjs';": /unsupported module syntax/,
      'const a = 1;': /exports nothing/,
    };
    for (const [source, error] of Object.entries(refused)) assert.throws(() => toCommonJs(source, 'm.mjs'), error, source);
  });

  it('cycleOf finds an import cycle', () => {
    assert.equal(cycleOf(new Map([['a', ['b']], ['b', ['c']], ['c', []]])), null);
    assert.deepEqual(cycleOf(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), ['a', 'b', 'c', 'a']);
  });
});

describe('bundleOf', () => {
  it('puts an import closure in one file, dependencies first, a shared module required from its own file', () => {
    const sources = {
      'api/index.mjs': "// index\nimport { b } from './b.mjs';\nimport { E } from './errors.mjs';\nexport function index() { return [b(), E]; }\n",
      'api/b.mjs': "// b\nimport { E } from './errors.mjs';\nconst local = 2;\nexport function b() { return [local, E]; }\n",
      'api/errors.mjs': '// errors\nexport class E {}\n',
    };
    const converted = new Map(Object.entries(sources).map(([file, source]) => [file, toCommonJs(source, file)]));
    const graph = new Map([['api/index.mjs', ['api/b.mjs', 'api/errors.mjs']], ['api/b.mjs', ['api/errors.mjs']], ['api/errors.mjs', []]]);
    const code = bundleOf('api/index.mjs', converted, graph, new Set(['api/errors.mjs']));
    assert.deepEqual([...code.matchAll(/^const (module_\w+) = /gm)].map((m) => m[1]), ['module_api_errors', 'module_api_b', 'module_api_index']);
    assert.match(code, /^const module_api_errors = require\('\.\/errors\.cjs'\);$/m);
    // Run as CommonJS with a stand-in errors.cjs: one E, seen by both modules.
    const E = class {};
    const module = { exports: {} };
    new Function('module', 'require', code)(module, (specifier) => (specifier === './errors.cjs' ? { E } : assert.fail(specifier)));
    assert.deepEqual(module.exports.index(), [[2, E], E]);
  });
});

describe('the package: sdk-wasm/pkg/api/', () => {
  const pkgApi = path.join(root, 'sdk-wasm/pkg/api');
  const modules = fs.readdirSync(path.join(root, 'sdk-wasm/js/api')).filter((f) => f.endsWith('.mjs'));

  it('holds every module of sdk-wasm/js/api/ twice, the ES module as written and CommonJS, with the same exports', async () => {
    const require = createRequire(import.meta.url);
    assert.deepEqual(fs.readdirSync(pkgApi).sort(), modules.flatMap((m) => [m.replace(/\.mjs$/, '.cjs'), m]).sort());
    for (const file of modules) {
      assert.equal(fs.readFileSync(path.join(pkgApi, file), 'utf8'), fs.readFileSync(path.join(root, 'sdk-wasm/js/api', file), 'utf8'), `${file} is the source (rebuild: bash scripts/build-wasm.sh --js-only)`);
      const esm = await import(pathToFileURL(path.join(pkgApi, file)).href);
      const cjs = require(path.join(pkgApi, file.replace(/\.mjs$/, '.cjs')));
      assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort(), file);
    }
  });

  it('api/index.cjs is the layer in one file: requiring it loads no other api/*.cjs but errors.cjs', () => {
    const script = `require(${JSON.stringify(path.join(pkgApi, 'index.cjs'))}); console.log(Object.keys(require.cache).filter((f) => f.includes('/api/')).map((f) => path.basename(f)).sort().join(' '));`;
    const out = execFileSync(process.execPath, ['-e', `const path = require('node:path'); ${script}`], { encoding: 'utf8' });
    assert.equal(out.trim(), 'errors.cjs index.cjs');
  });
});
