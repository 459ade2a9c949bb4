// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): the `node`
// provider, RSA in node:crypto (synchronous).
//
// One of the two host providers (webcrypto.mjs is the other; `wasm` is the core itself):
// the same operations under the same names, with this provider's hash names. Only the RSA
// operation runs here — what is signed and whether a message is valid come from wasm.
// providers.mjs chooses among them. Imports nothing.

// The hash of a sign type, as node:crypto names it.
function hash(signType) {
  return signType === 'RSA' ? 'sha1' : 'sha256';
}

/** The provider over `node:crypto` (the module itself, which only the Node entry has). */
export function nodeCryptoProvider(nodeCrypto) {
  const derKey = (der) => Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  // A generated pair as DER: PKCS#8 and SPKI.
  const derPair = ({ privateKey, publicKey }) => ({
    pkcs8: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
    spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
  });
  return Object.freeze({
    /** A private key from PKCS#8 DER, which is zeroised once imported. */
    privateKey(der) {
      const key = nodeCrypto.createPrivateKey({ key: derKey(der), format: 'der', type: 'pkcs8' });
      der.fill(0);
      return key;
    },
    /** A public key from SPKI DER. */
    publicKey(der) {
      return nodeCrypto.createPublicKey({ key: derKey(der), format: 'der', type: 'spki' });
    },
    /** The base64 signature of `signed` (the bytes a signature covers). */
    sign(key, signType, signed) {
      return nodeCrypto.sign(hash(signType), signed, key).toString('base64');
    },
    /** Whether `signature` (bytes) is `key`'s over `signed`. */
    verify(key, signType, signed, signature) {
      return nodeCrypto.verify(hash(signType), signed, key, signature);
    },
    /** A new RSA key pair of `bits`, as DER `{ pkcs8, spki }`. */
    generateKeyPair(bits) {
      return derPair(nodeCrypto.generateKeyPairSync('rsa', { modulusLength: bits }));
    },
    /** `generateKeyPair`, off the main thread. */
    async generateKeyPairAsync(bits) {
      const pair = await new Promise((resolve, reject) => {
        nodeCrypto.generateKeyPair('rsa', { modulusLength: bits }, (err, publicKey, privateKey) => (err ? reject(err) : resolve({ publicKey, privateKey })));
      });
      return derPair(pair);
    },
  });
}
