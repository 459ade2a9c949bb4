// The hand-written typings: types.ts (every export, as documented) compiles with
// `tsc --noEmit --strict`, so do types-redis.ts (paysign/redis with the real Redis clients)
// and types-frameworks.ts (paysign/frameworks mounted in the real frameworks), and every
// misuse in types-fail.ts is rejected, line by line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { createRequire } from 'node:module';

import { root } from './vectors.mjs';

// The wasm bindings directly (not part of the package's API): the core's own lists.
// coreNames is in the tools module (no run-time caller needs it).
const bindings = createRequire(import.meta.url)(path.join(root, 'sdk-wasm/pkg/node/paysign_tools.js'));

const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const here = path.join(root, 'tests/node');

function compile(project) {
  const run = spawnSync(process.execPath, [tsc, '-p', path.join(here, project)], { encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The string literals of `export type <name> = 'a' | 'b' ...;` in sdk-wasm/js/types/<file>. */
function unionOf(file, name) {
  const dts = fs.readFileSync(path.join(root, 'sdk-wasm/js/types', file), 'utf8');
  const match = dts.match(new RegExp(`export type ${name} =([^;]*);`));
  assert.ok(match, `types/${file} declares ${name}`);
  return [...match[1].matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
}

describe('typings', () => {
  it("name every error code, profile and sign type of the core", () => {
    // Completeness is what matters: a code the core throws or a profile it accepts must be
    // typable. (The typings may run ahead of an older core build by a release.)
    const names = bindings.coreNames();
    const missing = (typed, core) => core.filter((n) => !typed.includes(n));
    assert.deepEqual(missing(unionOf('errors.d.ts', 'ErrorCode'), names.errorCodes), [], 'add to ErrorCode in sdk-wasm/js/types/errors.d.ts');
    assert.deepEqual(missing(unionOf('profiles.d.ts', 'Profile'), names.profiles), [], 'add to Profile in sdk-wasm/js/types/profiles.d.ts');
    assert.deepEqual(missing(unionOf('profiles.d.ts', 'SignType'), names.signTypes), [], 'add to SignType in sdk-wasm/js/types/profiles.d.ts');
    assert.ok(names.errorCodes.includes('SIGNATURE_MISMATCH') && names.profiles.includes('paysign'));
  });

  it('types.ts compiles with --strict', () => {
    const { status, output } = compile('tsconfig.json');
    assert.equal(status, 0, output);
  });

  it('types-redis.ts compiles: paysign/redis takes the real node-redis and ioredis clients', () => {
    const { status, output } = compile('tsconfig.redis.json');
    assert.equal(status, 0, output);
  });

  it('types-frameworks.ts compiles: each paysign/frameworks adapter mounts where its framework takes a handler', () => {
    const { status, output } = compile('tsconfig.frameworks.json');
    assert.equal(status, 0, output);
  });

  it('each misuse in types-fail.ts is a type error, and nothing else is', () => {
    const source = fs.readFileSync(path.join(here, 'types-fail.ts'), 'utf8').split('\n');
    const expected = source.flatMap((line, i) => (line.includes('// @expect-error') ? [i + 1] : []));
    assert.ok(expected.length >= 10);
    const { status, output } = compile('tsconfig.fail.json');
    assert.notEqual(status, 0);
    const errorLines = new Set(
      [...output.matchAll(/types-fail\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])),
    );
    assert.deepEqual([...errorLines].sort((a, b) => a - b), expected, output);
  });
});
