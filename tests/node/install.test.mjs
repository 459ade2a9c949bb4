// The built package, packed by `npm pack` as it would be published, installs from its
// tarball into an empty project, and works from CommonJS, ES modules and TypeScript
// (`tsc --strict`) without a single warning.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';

import { root } from './vectors.mjs';

const pkgDir = path.join(root, 'sdk-wasm/pkg');
const expected = fs.readFileSync(path.join(root, 'tests/vectors/sign_paysign_md5_request/signature.txt'), 'utf8');
const params = fs.readFileSync(path.join(root, 'tests/vectors/sign_paysign_md5_request/params.json'), 'utf8');
const secret = fs.readFileSync(path.join(root, 'tests/vectors/keys/secret.txt'), 'utf8').trim();

let dir;

/** Runs node in the consumer project; it must succeed and print nothing on stderr. */
function node(args) {
  const run = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `node ${args.join(' ')} failed: ${run.stderr}`);
  assert.equal(run.stderr, '', `node ${args.join(' ')} warned`);
  return run.stdout.trim();
}

describe('npm pack, then npm install of the tarball into an empty project', () => {
  let tarball;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysign-install-'));
    // The tarball npm would publish: only package.json "files".
    const packed = execFileSync('npm', ['pack', '--pack-destination', dir, pkgDir], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    tarball = path.join(dir, packed.trim().split('\n').at(-1));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
      cwd: dir,
      stdio: 'pipe',
      timeout: 120_000,
    });
  });

  it('the tarball is named for the package and version, and holds no sources or tests', () => {
    assert.equal(path.basename(tarball), 'paysign-0.1.0.tgz');
    const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    assert.ok(listed.every((file) => file.startsWith('package/')), listed.join(', '));
    assert.ok(!listed.some((file) => /\.(rs|ts)$/.test(file) && !file.endsWith('.d.ts')), 'no Rust or TypeScript sources');
    assert.ok(listed.includes('package/README.md') && listed.includes('package/package.json'));
  });

  it('TypeScript, --strict, module nodenext: the typings of every entry point compile as a consumer uses them', () => {
    fs.writeFileSync(
      path.join(dir, 'consumer.mts'),
      [
        "import { NotificationVerifier, PaysignError, Signer, type Notification } from 'paysign';",
        "import { redisReplayStore } from 'paysign/redis';",
        "import { fetchHandler } from 'paysign/frameworks';",
        `const signer = new Signer({ secret: ${JSON.stringify(secret)}, signType: 'MD5' });`,
        "const signature: string = signer.sign({ a: '1' });",
        "const verifier = new NotificationVerifier({ secret: 'k', accept: ['MD5'] });",
        'const handler: (request: Request) => Promise<Response> = fetchHandler(verifier, async (n: Notification) => { void n.totalAmount; });',
        "const store = redisReplayStore({ call: async (...args: unknown[]) => args[0] });",
        'export { signature, handler, store, PaysignError };',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, lib: ['es2022', 'dom'], types: [] }, files: ['consumer.mts'] }),
    );
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
    assert.equal(run.stdout + run.stderr, '', 'tsc printed nothing');
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('installs a copy with only the package files', () => {
    const installed = path.join(dir, 'node_modules/paysign');
    assert.ok(!fs.lstatSync(installed).isSymbolicLink(), 'a copy, not a link');
    const meta = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
    assert.equal(meta.name, 'paysign');
    assert.equal(meta.version, '0.1.0');
    for (const file of [
      'index.cjs',
      'index.mjs',
      'web.mjs',
      'index.d.ts',
      'index.d.mts',
      'types/notification-verifier.d.ts',
      'api/index.cjs',
      'api/index.mjs',
      'node/paysign_wasm_bg.wasm',
      'web/paysign_wasm_bg.wasm',
      'node/paysign_signing_bg.wasm',
      'web/paysign_signing_bg.wasm',
      'node/paysign_tools_bg.wasm',
      'web/paysign_tools_bg.wasm',
      'redis.cjs',
      'redis.mjs',
      'redis.d.ts',
      'redis.d.mts',
      'frameworks.cjs',
      'frameworks.mjs',
      'frameworks.web.mjs',
      'frameworks.d.ts',
      'frameworks.d.mts',
    ]) {
      assert.ok(fs.existsSync(path.join(installed, file)), file);
    }
  });

  const script = `const pairs = ${params}; const s = new paysign.Signer({ secret: ${JSON.stringify(secret)}, signType: 'MD5' }); console.log(s.sign(pairs));`;

  it("require('paysign') works", () => {
    assert.equal(node(['-e', `const paysign = require('paysign'); ${script}`]), expected);
  });

  it("import('paysign') works (static and dynamic)", () => {
    assert.equal(node(['--input-type=module', '-e', `import * as paysign from 'paysign'; ${script}`]), expected);
    assert.equal(node(['--input-type=module', '-e', `const paysign = await import('paysign'); ${script}`]), expected);
  });

  it('paysign/redis loads through require and import, with the Lua scripts embedded', () => {
    const probe = "typeof m.redisReplayStore + ' ' + typeof m.upstashReplayStore";
    assert.equal(node(['-e', `const m = require('paysign/redis'); console.log(${probe})`]), 'function function');
    assert.equal(node(['--input-type=module', '-e', `import * as m from 'paysign/redis'; console.log(${probe})`]), 'function function');
    const claim = fs.readFileSync(path.join(root, 'paysign-redis/lua/claim.lua'), 'utf8');
    const installed = fs.readFileSync(path.join(dir, 'node_modules/paysign/redis.mjs'), 'utf8');
    assert.ok(installed.includes(JSON.stringify(claim)), 'redis.mjs embeds paysign-redis/lua/claim.lua as it is');
  });

  it('paysign/frameworks loads through require and import, and refuses an oversized body (its PaysignError is the entry point\'s)', () => {
    // 400 only if acknowledgeError recognises the adapters' BODY_TOO_LARGE as its own class.
    const probe =
      "const h = f.fetchHandler(new p.NotificationVerifier({ secret: 'k' }), () => {}, { onError: () => {} }); " +
      "h(new Request('http://merchant.test/', { method: 'POST', body: new Uint8Array(f.MAX_BODY_BYTES + 1) })).then((r) => console.log(Object.keys(f).sort().join(' '), r.status));";
    const expected = 'MAX_BODY_BYTES express fastify fetchHandler koa nodeHandler 400';
    assert.equal(node(['-e', `const p = require('paysign'); const f = require('paysign/frameworks'); ${probe}`]), expected);
    assert.equal(node(['--input-type=module', '-e', `import * as p from 'paysign'; import * as f from 'paysign/frameworks'; ${probe}`]), expected);
  });

  it('the installed copy loads its tools module on first use', () => {
    const body = fs.readFileSync(path.join(root, 'tests/vectors/notify_paysign_form/body.bin'), 'utf8');
    const key = fs.readFileSync(path.join(root, 'tests/vectors/keys/gateway_public_spki.pem'), 'utf8');
    const explain = `const d = paysign.explain(${JSON.stringify(body)}, { publicKey: ${JSON.stringify(key)}, now: 1795190410 }); console.log(d.verified);`;
    assert.equal(node(['-e', `const paysign = require('paysign'); ${explain}`]), 'true');
  });

  it('the exports map hides internals and serves the web build', () => {
    assert.throws(() => node(['-e', "require('paysign/api/index.cjs')"]), /ERR_PACKAGE_PATH_NOT_EXPORTED/);
    assert.equal(node(['-e', "console.log(require.resolve('paysign/paysign_wasm_bg.wasm').endsWith('web/paysign_wasm_bg.wasm'))"]), 'true');
    assert.equal(node(['-e', "console.log(require.resolve('paysign/paysign_tools_bg.wasm').endsWith('web/paysign_tools_bg.wasm'))"]), 'true');
    assert.equal(node(['-e', "console.log(require('paysign/package.json').name)"]), 'paysign');
  });
});

// A budget, not a benchmark: the size is deterministic for a given build. The runtime
// module is what every page and worker downloads and compiles before its first signature;
// code that pushes it over belongs in the tools module, or the budget changes on purpose.
// 250 → 265 KiB on purpose, for code on a request's path (measured, gzip -9, in order):
// the platform model (per-platform notification mapping and opening behind one trait,
// 246.6 → 250.1), signing WeChat Pay v3 requests (the Authorization header) and Standard
// Webhooks messages (+7.0), and signing in a message's declared charset (Alipay GBK: the
// GB18030 encoder, +2.9; 260.8 in all). The Alipay certificate SNs, setup work, went to the
// tools module instead (2.1 KiB). Then one header signer for every header-signed profile
// (the core's HeaderSigner, the platforms' request values and header names as data, which
// the JavaScript layer reads instead of naming profiles: 262.0 → 264.2). 265 → 267 for
// the exactly-once flow every notification takes (claims with leases and tokens in the
// memory store, complete and release, the errors of a caller's store: 264.2 → 266.8), and
// 268 for acknowledgeError, the answer the core gives an error (refusal or retry: 267.1);
// 269 for time errors that name their setting and a key refused as a secret (268.2). The
// module is 18 KiB over the 250 KiB goal of issue 22: the next change here must make room
// (error texts into the tools module is the measured candidate), not raise this again.
// 国密 in the core (issue 18), the explain rework and the gateway's SM2 profile grew the
// module to 275.4 KiB although it is built without SM (the SM paths behind the `sm`
// feature leave only the SM2 OID check here); reading the three timestamp forms and dates
// by hand instead of with `time`'s format-description parser (held to it as the oracle in
// message/time.rs) took it to 266.5, so the budget is 269 again; then the value types of
// issue 23 (docs/security.md, "Value types": JSON values typed per platform, form keys
// without `=`, XML attributes and characters) took 1.1 KiB of that room. Issue 22 gave
// 1.6 KiB back (268.8 → 267.2): gateway requests built by one non-generic envelope
// function for all eight methods instead of a throwaway signer per method, and
// notifications crossing as pieces of one string instead of serde_json text; so 268.
// Issue 22 met the 250 KiB goal by moving a whole concern out, as 国密 and the tools were:
// signing (Signer and its private keys, PKCS#8/PKCS#1 parsing and re-encoding, the RSA
// private operation with its blinding, header signers, gateway requests) is the signing
// module, loaded with the first Signer; the runtime keeps everything a merchant's
// notification path needs (267.2 → about 228 KiB). A names-kept build of that runtime
// still held the private-key parser and its arithmetic (CRT values, checks), reached only
// to tell a private key given as a public one: the core now tells it by its ASN.1
// structure (keys/mod.rs, is_rsa_private_structure), 15 KiB less: 212.7 KiB. So 250 for
// the runtime, the goal itself, with room for 37 KiB of verification code. The signing
// module has its own budget: it repeats what signing shares with the runtime (parameters,
// canonical strings, the platforms' rules, behind one trait object each, whose methods
// all link) and is 223.8 KiB; 230 with room.
const BUDGETS_KIB = {
  paysign_wasm: 250, // the runtime, what every user loads first
  paysign_signing: 230, // loaded with the first Signer
};
describe('download size', () => {
  for (const [module, budget] of Object.entries(BUDGETS_KIB)) {
    it(`${module}_bg.wasm is under ${budget} KiB gzipped`, () => {
      const wasm = fs.readFileSync(path.join(pkgDir, `web/${module}_bg.wasm`));
      const kib = zlib.gzipSync(wasm, { level: 9 }).length / 1024;
      assert.ok(kib < budget, `${module}_bg.wasm is ${kib.toFixed(1)} KiB gzipped`);
    });
  }
});
