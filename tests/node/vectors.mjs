// Shared helpers for the Node suites: the repository's tests/vectors/ folder.
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

/** Providers usable for RSA on this runtime, each with how to call it. */
export const rsaProviders = ['wasm', 'node', 'webcrypto', 'auto'];
