// The web entry (`paysign/web`, what browsers, Deno and workers get) run under Node: it
// refuses work before init, instantiates from bytes with initSync or from a compiled
// module or a Response with init, and then signs like the Node entry (wasm sync provider,
// WebCrypto async provider; no node:crypto).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import * as web from 'paysign/web';
import { merchantPrivatePem, merchantPublicPem, root, signCases, signedPairs } from './vectors.mjs';

const wasmPath = path.join(root, 'sdk-wasm/pkg/web/paysign_wasm_bg.wasm');
const toolsPath = path.join(root, 'sdk-wasm/pkg/web/paysign_tools_bg.wasm');
const signingPath = path.join(root, 'sdk-wasm/pkg/web/paysign_signing_bg.wasm');
const notifyBody = fs.readFileSync(path.join(root, 'tests/vectors/notify_paysign_form/body.bin'));
const gatewayPublicPem = fs.readFileSync(path.join(root, 'tests/vectors/keys/gateway_public_spki.pem'), 'utf8');
const rsa2 = signCases().find((c) => c.name === 'sign_paysign_rsa2_request');

/** Runs an ES module script in a fresh Node process (a fresh, uninitialised paysign/web); its trimmed stdout. */
function runModule(script) {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.join(root, 'tests/node'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  }).trim();
}

describe('paysign/web under Node', () => {
  it('refuses to work before init, with a message that says what to do', () => {
    assert.throws(() => web.canonicalize({ a: '1' }), /not initialised.*await init\(\)/);
    assert.throws(() => new web.Signer({ privateKey: merchantPrivatePem }), /not initialised/);
    assert.throws(() => web.initSync(), TypeError);
  });

  it('initSync from the bytes, then init() resolves at once', async () => {
    web.initSync(fs.readFileSync(wasmPath));
    await web.init();
    assert.equal(web.canonicalize(rsa2.pairs), rsa2.canonical);
  });

  // Issue 22: Signer and buildRequest live in the signing module, which `init()` by URL
  // loads beside the runtime and `init(source)` does not; the tests below sign after this.
  it('a Signer waits for initSigning when init was given the runtime alone, and says so', async () => {
    assert.throws(() => new web.Signer({ privateKey: merchantPrivatePem }), /signing.*own module.*await initSigning\(\)/);
    assert.throws(() => web.initSigningSync(), TypeError);
    web.initSigningSync(fs.readFileSync(signingPath));
    await web.initSigning();
    assert.equal(new web.Signer({ secret: 'k', signType: 'MD5' }).signType, 'MD5');
  });

  it('has no node provider, signs with wasm (sync) and WebCrypto (async)', async () => {
    const signer = new web.Signer({ privateKey: merchantPrivatePem });
    assert.deepEqual(signer.provider, { sync: 'wasm', async: 'webcrypto' });
    assert.equal(signer.sign(rsa2.pairs), rsa2.signature);
    assert.equal(await signer.signAsync(rsa2.pairs), rsa2.signature);
    assert.throws(() => new web.Signer({ privateKey: merchantPrivatePem, provider: 'node' }), /node:crypto/);
    const verifier = new web.Verifier({ publicKey: merchantPublicPem, message: 'request' });
    assert.deepEqual(await verifier.verifyAsync(signedPairs(rsa2)), { valid: true, signType: 'RSA2' });
    assert.deepEqual(verifier.verify(signedPairs(rsa2)), { valid: true, signType: 'RSA2' });
  });

  for (const [label, source] of [
    ['a compiled WebAssembly.Module', 'await WebAssembly.compile(bytes)'],
    ['a Response', "new Response(bytes, { headers: { 'content-type': 'application/wasm' } })"],
    ['a promise of a Response', "Promise.resolve(new Response(bytes, { headers: { 'content-type': 'application/wasm' } }))"],
    ['the bytes', 'bytes'],
  ]) {
    it(`init(${label}) in a fresh process`, () => {
      const script = [
        "import fs from 'node:fs';",
        "import { init, canonicalize } from 'paysign/web';",
        `const bytes = fs.readFileSync(${JSON.stringify(wasmPath)});`,
        `await init(${source});`,
        "console.log(canonicalize({ b: '2', a: '1' }));",
      ].join('\n');
      assert.equal(runModule(script), 'a=1&b=2');
    });
  }

  it('loads in a fresh process without a warning: every .js file of the package has its module type declared', () => {
    // Node warns MODULE_TYPELESS_PACKAGE_JSON for an ES module in a .js file that no
    // package.json types; the build writes web/package.json (and node/package.json).
    const script = [
      "import fs from 'node:fs';",
      "import { initSync, canonicalize } from 'paysign/web';",
      `initSync(fs.readFileSync(${JSON.stringify(wasmPath)}));`,
      "console.log(canonicalize({ b: '2', a: '1' }));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(root, 'tests/node'), encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    assert.equal(run.stdout.trim(), 'a=1&b=2');
  });

  it('errors are the web entry PaysignError', () => {
    assert.throws(
      () => web.canonicalize([['a', '1'], ['a', '2']]),
      (e) => e instanceof web.PaysignError && e.code === 'PARAM_DUPLICATE',
    );
  });

  it('verifies notifications: wasm for verify, WebCrypto for verifyAsync and verifyRequest', async () => {
    const body = fs.readFileSync(path.join(root, 'tests/vectors/notify_paysign_form/body.bin'));
    const publicKey = fs.readFileSync(path.join(root, 'tests/vectors/keys/gateway_public_spki.pem'), 'utf8');
    const verifier = new web.NotificationVerifier({ publicKey, appId: '2026000000000001' });
    assert.deepEqual(verifier.provider, { sync: 'wasm', async: 'webcrypto' });
    const first = verifier.verify(body, { now: 1795190410 });
    assert.equal(first.totalAmount, 6754);
    verifier.complete(first);
    const request = new Request('https://merchant.example/notify', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const again = await verifier.verifyRequest(request, { now: 1795190410 });
    assert.equal(again.duplicate, true);
    assert.equal(await verifier.acknowledgeResponse(true).text(), 'success');
    assert.throws(() => new web.NotificationVerifier({ publicKey, provider: 'node' }), /node:crypto/);
  });

  it('key pairs come from WebCrypto, without the tools module', async () => {
    const pair = await web.generateKeyPairAsync();
    const signed = new web.Signer({ privateKey: pair.privateKeyPem }).signParams({ a: '1' });
    assert.deepEqual(web.verify(signed, { publicKey: pair.publicKeyBase64, message: 'request' }), { valid: true, signType: 'RSA2' });
  });

  it('reconcile, explain and wasm key generation wait for initTools, and say so', () => {
    const notInitialised = /tools are not initialised.*await initTools\(\)/;
    assert.throws(() => web.explain(notifyBody, { publicKey: gatewayPublicPem }), notInitialised);
    assert.throws(() => web.reconcile('', '', { billDate: '2026-11-24' }), notInitialised);
    assert.throws(() => web.generateKeyPair(), notInitialised);
    assert.throws(() => web.initToolsSync(), TypeError);
    // The runtime is unaffected.
    assert.equal(web.canonicalize(rsa2.pairs), rsa2.canonical);
  });

  it('initToolsSync from the bytes, then initTools() resolves at once and explain runs', async () => {
    web.initToolsSync(fs.readFileSync(toolsPath));
    await web.initTools();
    const diagnosis = web.explain(notifyBody, { publicKey: gatewayPublicPem, now: 1795190410 });
    assert.equal(diagnosis.verified, true);
    assert.equal(diagnosis.signType, 'RSA2');
  });

  it('initTools(a Response) in a fresh process, default init() beside it', () => {
    const script = [
      "import fs from 'node:fs';",
      "import { init, initTools, explain } from 'paysign/web';",
      `const bytes = fs.readFileSync(${JSON.stringify(toolsPath)});`,
      `await init(fs.readFileSync(${JSON.stringify(wasmPath)}));`,
      "await initTools(new Response(bytes, { headers: { 'content-type': 'application/wasm' } }));",
      `const d = explain(fs.readFileSync(${JSON.stringify(path.join(root, 'tests/vectors/notify_paysign_form/body.bin'))}), { publicKey: ${JSON.stringify(gatewayPublicPem)}, now: 1795190410 });`,
      'console.log(d.verified, d.signType);',
    ].join('\n');
    assert.equal(runModule(script), 'true RSA2');
  });
});
