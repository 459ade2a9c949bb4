// Shared helpers for the Node suites: the repository's tests/vectors/ folder.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const vectorsDir = path.join(root, 'tests/vectors');

/** Text of tests/vectors/<rel>. */
export function readText(rel) {
  return fs.readFileSync(path.join(vectorsDir, rel), 'utf8');
}

/** Bytes of tests/vectors/<rel>. */
export function readBytes(rel) {
  return new Uint8Array(fs.readFileSync(path.join(vectorsDir, rel)));
}

/** A shared secret from keys/<name>.txt (one trailing newline dropped, as the core does). */
export function secret(name) {
  return readText(`keys/${name}.txt`).replace(/\r?\n$/, '');
}

export const merchantPrivatePem = readText('keys/merchant_private_pkcs8.pem');
export const merchantPublicPem = readText('keys/merchant_public_spki.pem');

/** Every sign_* case: { name, profile, message, signType, key, pairs, canonical, signature }. */
export function signCases() {
  const names = fs
    .readdirSync(vectorsDir)
    .filter((n) => n.startsWith('sign_'))
    .sort();
  if (names.length === 0) throw new Error(`no sign_* vectors in ${vectorsDir}`);
  return names.map((name) => {
    const expect = JSON.parse(readText(`${name}/expect.json`));
    return {
      name,
      profile: expect.profile,
      message: expect.message,
      signType: expect.sign_type,
      key: expect.key,
      rsa: expect.key === 'merchant',
      pairs: JSON.parse(readText(`${name}/params.json`)),
      canonical: readText(`${name}/canonical.txt`),
      signature: readText(`${name}/signature.txt`),
      // The bytes signed: canonical.txt's UTF-8, or signed.bin where the platform signs
      // the string in another charset (Alipay with charset=GBK).
      signedBytes: fs.existsSync(path.join(vectorsDir, name, 'signed.bin'))
        ? readBytes(`${name}/signed.bin`)
        : Buffer.from(readText(`${name}/canonical.txt`)),
    };
  });
}

/** Signer options for a case (provider added by the caller). */
export function signerOptions(c, extra = {}) {
  const credential = c.rsa ? { privateKey: merchantPrivatePem } : { secret: secret(c.key) };
  return { profile: c.profile, message: c.message, signType: c.signType, ...credential, ...extra };
}

/** Verifier options for a case. */
export function verifierOptions(c, extra = {}) {
  const credential = c.rsa ? { publicKey: merchantPublicPem } : { secret: secret(c.key) };
  return { profile: c.profile, message: c.message, signType: c.signType, ...credential, ...extra };
}

/** The case's params with `sign` set. */
export function signedPairs(c, signature = c.signature) {
  return [...c.pairs.filter(([k]) => k !== 'sign'), ['sign', signature]];
}

/** The four input forms the API accepts, built from ordered pairs. */
export function inputForms(pairs) {
  return {
    pairs,
    object: Object.fromEntries(pairs),
    map: new Map(pairs),
    urlSearchParams: new URLSearchParams(pairs),
  };
}

/**
 * The asynchronous call, and the synchronous one where the provider has it (WebCrypto has
 * none): both must give the same result, which is returned.
 */
export async function syncAndAsync(provider, syncCall, asyncCall) {
  const viaAsync = await asyncCall();
  if (provider === 'webcrypto') return viaAsync;
  const viaSync = syncCall();
  assert.deepEqual(viaSync, viaAsync, 'sync and async agree');
  return viaSync;
}

/** Providers usable for RSA on this runtime, each with how to call it. */
export const rsaProviders = ['wasm', 'node', 'webcrypto', 'auto'];

/** Bytes of a secret file, one trailing newline dropped (SharedSecret::from_file_contents). */
export function secretFileBytes(rel) {
  let bytes = readBytes(rel);
  if (bytes.at(-1) === 0x0a) bytes = bytes.subarray(0, bytes.at(-2) === 0x0d ? -2 : -1);
  return bytes;
}

/**
 * Every notification case — tests/vectors/{,fail_}notify_* and platforms/{,fail_}notify_* —
 * with the NotificationVerifier options and verify options its request.json describes
 * (credentials assembled as each platform documents, like sdk-core/tests/platform_vectors.rs).
 *
 * The cases that need the national algorithms (request.json `"sm": true`) are apart:
 * `sm: true` gives only those. They run in sm.test.mjs, on Node, where the package builds
 * their verifiers in its SM module; the runtime matrix and the framework tests keep to the
 * runtime module's cases (on the web entry, SM needs `await initSm()` first).
 */
export function notifyCases({ failing, sm = false }) {
  const prefix = failing ? 'fail_notify_' : 'notify_';
  const folders = [
    ...fs.readdirSync(vectorsDir).filter((n) => n.startsWith(prefix)),
    ...fs.readdirSync(path.join(vectorsDir, 'platforms')).filter((n) => n.startsWith(prefix)).map((n) => `platforms/${n}`),
  ].sort();
  if (folders.length === 0) throw new Error(`no ${prefix}* vectors`);
  return folders.map((folder) => {
    const request = JSON.parse(readText(`${folder}/request.json`));
    const expect = JSON.parse(readText(`${folder}/expect.json`));
    const options = { profile: request.profile, accept: request.accept };
    if (request.app_id) options.appId = request.app_id;
    if (request.merchant_id) options.mchId = request.merchant_id;
    if (request.key === 'gateway') options.publicKey = readText('keys/gateway_public_spki.pem');
    else if (request.key === 'secret') options.secret = secret('secret');
    else {
      const keys = request.keys ?? [];
      const secrets = (request.secrets ?? []).map(secretFileBytes);
      if (keys.some((k) => k.id !== null)) {
        options.publicKeys = Object.fromEntries(keys.map((k) => [k.id, readBytes(k.file)]));
        if (request.profile === 'wechat-v3' && secrets.length > 0) options.decryptionKey = secrets[0];
      } else if (keys.length > 0) {
        options.publicKey = readBytes(keys[0].file);
      } else if (secrets.length > 1) {
        options.secrets = secrets;
      } else {
        options.secret = secrets[0];
      }
    }
    const call = { now: request.now };
    if (request.content_type) call.contentType = request.content_type;
    if (request.headers && request.headers.length > 0) call.headers = request.headers;
    if (request.expected_amount !== null && request.expected_amount !== undefined) call.expectedAmount = request.expected_amount;
    return { name: folder, body: readBytes(`${folder}/body.bin`), request, expect, options, call };
  }).filter((c) => (c.request.sm === true) === sm);
}

/** A verified notification in expect.json's vocabulary (tests/runtimes/expected.mjs). */
export { asExpected } from '../runtimes/expected.mjs';
