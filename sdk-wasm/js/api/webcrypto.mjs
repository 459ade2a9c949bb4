// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): the
// `webcrypto` provider, RSA in WebCrypto (`crypto.subtle`, asynchronous).
//
// One of the two host providers (node-crypto.mjs is the other; `wasm` is the core itself):
// the same operations under the same names, with this provider's hash names. Only the RSA
// operation runs here. providers.mjs chooses among them. Imports keys.mjs.
import { toBase64 } from './keys.mjs';

const RSA_ALGORITHM = 'RSASSA-PKCS1-v1_5';

/** `crypto.subtle`, or null where the runtime has none (not a secure context). */
export function subtle() {
  const c = globalThis.crypto;
  return c && c.subtle ? c.subtle : null;
}

// The hash of a sign type, as WebCrypto names it.
function hash(signType) {
  return signType === 'RSA' ? 'SHA-1' : 'SHA-256';
}

/** The provider; every operation returns a promise. */
export const webcrypto = Object.freeze({
  /** A signing key for `signType` from PKCS#8 DER, which is zeroised once imported. */
  privateKey(der, signType) {
    return subtle()
      .importKey('pkcs8', der, { name: RSA_ALGORITHM, hash: hash(signType) }, false, ['sign'])
      .finally(() => der.fill(0));
  },
  /** A verifying key for `signType` from SPKI DER. */
  publicKey(der, signType) {
    return subtle().importKey('spki', der, { name: RSA_ALGORITHM, hash: hash(signType) }, false, ['verify']);
  },
  /** The base64 signature of `signed`. */
  async sign(key, signed) {
    const signature = await subtle().sign(RSA_ALGORITHM, key, signed);
    return toBase64(new Uint8Array(signature));
  },
  /** Whether `signature` (bytes) is `key`'s over `signed`. */
  verify(key, signature, signed) {
    return subtle().verify(RSA_ALGORITHM, key, signature, signed);
  },
  /** A new RSA key pair of `bits`, as DER `{ pkcs8, spki }`. */
  async generateKeyPair(bits) {
    const pair = await subtle().generateKey(
      { name: RSA_ALGORITHM, modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
    return {
      pkcs8: new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey)),
      spki: new Uint8Array(await subtle().exportKey('spki', pair.publicKey)),
    };
  },
});
