// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): where the
// RSA step runs, chosen once per object from `options.provider`.
//
// `wasm` is the core; `node` and `webcrypto` are the host providers (node-crypto.mjs,
// webcrypto.mjs). Digest sign types always run in wasm. Imports webcrypto.mjs.
import { subtle } from './webcrypto.mjs';

const PROVIDERS = ['auto', 'wasm', 'node', 'webcrypto'];

/**
 * The providers of the synchronous and the asynchronous methods: `{ sync, async }`.
 * `node` is the node:crypto provider, or null where the runtime has none.
 */
export function providerChoice(options, node) {
  const provider = options.provider === undefined ? 'auto' : options.provider;
  if (!PROVIDERS.includes(provider)) {
    throw new TypeError(`options.provider must be one of ${PROVIDERS.join(', ')} (got ${String(provider)})`);
  }
  if (provider === 'node' && node === null) {
    throw new Error("provider 'node' needs node:crypto, which this runtime does not have; use 'wasm' or 'webcrypto'");
  }
  if (provider === 'webcrypto' && subtle() === null) {
    throw new Error("provider 'webcrypto' needs crypto.subtle (a secure context), which this runtime does not have; use 'wasm'");
  }
  // Synchronous methods: node:crypto where it exists, else wasm. Asynchronous methods:
  // WebCrypto (off the main thread) where it exists, else the synchronous choice.
  const sync = provider === 'auto' ? (node !== null ? 'node' : 'wasm') : provider;
  const async = provider === 'auto' ? (subtle() !== null ? 'webcrypto' : sync) : provider;
  return { sync, async };
}

// What an object with a digest sign type reports: it has no RSA step, wasm does it all.
const DIGESTS = Object.freeze({ sync: 'wasm', async: 'wasm' });

/**
 * Where an object's RSA step runs, `{ sync, async }`: its `providerChoice` when it signs or
 * verifies with RSA (`isRsa`, the core's answer), wasm for digest sign types.
 */
export function rsaStep(choice, isRsa) {
  return isRsa ? choice : DIGESTS;
}

/** The error of a synchronous method whose provider is WebCrypto; `call` says what to do instead. */
export function webcryptoIsAsync(call = "call signAsync()/verifyAsync(), or use provider 'wasm' or 'node'") {
  return new Error(`provider 'webcrypto' is asynchronous: ${call}`);
}
