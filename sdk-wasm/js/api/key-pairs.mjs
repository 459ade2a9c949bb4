// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): new RSA key
// pairs, from the chosen provider: node:crypto, WebCrypto, or the tools module (wasm, which
// takes seconds). Imports keys.mjs, options.mjs, providers.mjs, webcrypto.mjs.
import { toBase64 } from './keys.mjs';
import { optionsObject } from './options.mjs';
import { providerChoice, webcryptoIsAsync } from './providers.mjs';
import { webcrypto } from './webcrypto.mjs';

function keyPairOptions(options, node) {
  const opts = optionsObject(options, 'generateKeyPair');
  const bits = opts.bits === undefined ? 2048 : opts.bits;
  if (bits !== 2048 && bits !== 3072 && bits !== 4096) {
    throw new TypeError(`options.bits must be 2048, 3072 or 4096 (got ${String(bits)})`);
  }
  return { bits, provider: providerChoice(opts, node) };
}

/** PEM exactly as the core writes it: 64-column base64, LF line ends. */
export function pem(label, base64) {
  let body = '';
  for (let i = 0; i < base64.length; i += 64) body += `${base64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

/**
 * A host generator's key pair (PKCS#8 and SPKI DER, as the host exported them) in the four
 * forms the core's generator returns, so a pair looks the same whichever generator made
 * it; the PKCS#8 bytes are zeroised. No wasm: re-encoding in the core would put PKCS#8
 * encoders in the runtime module for this one call.
 */
export function keyPairFromDer({ pkcs8, spki }) {
  const privateKeyBase64 = toBase64(pkcs8);
  const publicKeyBase64 = toBase64(spki);
  pkcs8.fill(0);
  return {
    privateKeyPem: pem('PRIVATE KEY', privateKeyBase64),
    publicKeyPem: pem('PUBLIC KEY', publicKeyBase64),
    privateKeyBase64,
    publicKeyBase64,
  };
}

/**
 * generateKeyPair and generateKeyPairAsync over the modules of one entry point (createApi's
 * context: `runtime`, `tools`, `node`, the node:crypto provider or null).
 */
export function keyPairFunctions({ runtime, tools, node }) {
  /** A new RSA key pair (PKCS#8 / SPKI, as PEM and bare base64). */
  function generateKeyPair(options) {
    runtime.bindings();
    const { bits, provider } = keyPairOptions(options, node);
    if (provider.sync === 'webcrypto') throw webcryptoIsAsync('call generateKeyPairAsync()');
    if (provider.sync === 'node') return keyPairFromDer(node.generateKeyPair(bits));
    const module = tools.bindings();
    return tools.call(() => module.generateKeyPair(bits));
  }

  /** `generateKeyPair`, generating off the main thread where the provider can. */
  async function generateKeyPairAsync(options) {
    runtime.bindings();
    const { bits, provider } = keyPairOptions(options, node);
    if (provider.async === 'webcrypto') return keyPairFromDer(await webcrypto.generateKeyPair(bits));
    if (provider.async === 'node') return keyPairFromDer(await node.generateKeyPairAsync(bits));
    return generateKeyPair({ bits, provider: 'wasm' });
  }

  return { generateKeyPair, generateKeyPairAsync };
}
