// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): createApi,
// the public API over the wasm modules of one entry point (index.cjs on Node, web.mjs
// elsewhere).
//
// Everything that decides whether a message is valid lives in the wasm core; the layer
// checks JavaScript types, flattens parameters for a cheap crossing, and runs the RSA step
// in the chosen crypto provider. One module per class or concern, each made over the
// explicit context built here — the wasm modules (wasm-modules.mjs) and the node:crypto
// provider — and holding no state outside its objects. Imports amounts.mjs, errors.mjs,
// explain.mjs, key-pairs.mjs, node-crypto.mjs, notification-verifier.mjs, one-off.mjs,
// reconcile.mjs, requests.mjs, signer.mjs, test-notification.mjs, verifier.mjs,
// wasm-modules.mjs.
import { amountFunctions } from './amounts.mjs';
import { PaysignError } from './errors.mjs';
import { explainFunction } from './explain.mjs';
import { keyPairFunctions } from './key-pairs.mjs';
import { nodeCryptoProvider } from './node-crypto.mjs';
import { notificationVerifierClass } from './notification-verifier.mjs';
import { oneOffFunctions } from './one-off.mjs';
import { reconcileFunction } from './reconcile.mjs';
import { requestFunctions } from './requests.mjs';
import { signerClass } from './signer.mjs';
import { testNotificationFunction } from './test-notification.mjs';
import { verifierClass } from './verifier.mjs';
import { wasmModules } from './wasm-modules.mjs';

// Explicit resource management (`using signer = new Signer(...)`) where the runtime has it.
function disposable(Class) {
  if (typeof Symbol.dispose === 'symbol') {
    Class.prototype[Symbol.dispose] = function dispose() {
      this.free();
    };
  }
}

/**
 * Builds the public API over one instance of the wasm bindings.
 *
 * @param {object} wasm        the runtime wasm-bindgen module (node/ or web/ build)
 * @param {object} platform
 * @param {object|null} platform.nodeCrypto  `node:crypto`, or null outside Node
 * @param {() => boolean} platform.isReady     whether the wasm module is instantiated
 * @param {() => object} platform.signing      the signing module (Signer, gateway requests):
 *   loads it on first use where the runtime can do so synchronously (Node), else returns it
 *   once `initSigning()` (or `init()` by URL) has, and throws before
 * @param {() => object} platform.tools        the tools module (reconcile, explain, key
 *   generation in wasm): loads it on first use where the runtime can do so synchronously
 *   (Node), else returns it once `initTools()` has, and throws before
 * @param {() => object} platform.sm           the SM module (the runtime with 国密), the same
 *   way (`initSm()`)
 */
export function createApi(wasm, platform) {
  const { runtime, signing, sm, tools } = wasmModules(wasm, platform);
  const node = platform.nodeCrypto === null ? null : nodeCryptoProvider(platform.nodeCrypto);
  const context = Object.freeze({ runtime, signing, sm, tools, node });

  const Signer = signerClass(context);
  const Verifier = verifierClass(context);
  const NotificationVerifier = notificationVerifierClass(context);
  for (const Class of [Signer, Verifier, NotificationVerifier]) disposable(Class);

  const { buildRequest, buildRequestAsync } = requestFunctions(context, Signer);
  const { parseYuan, formatYuan } = amountFunctions(context);
  const { canonicalize, sign, signAsync, verify, verifyAsync } = oneOffFunctions(context, Signer, Verifier);
  const { generateKeyPair, generateKeyPairAsync } = keyPairFunctions(context);

  return {
    PaysignError,
    Signer,
    Verifier,
    NotificationVerifier,
    buildRequest,
    buildRequestAsync,
    parseYuan,
    formatYuan,
    reconcile: reconcileFunction(context),
    explain: explainFunction(context),
    testNotification: testNotificationFunction(context),
    canonicalize,
    sign,
    signAsync,
    verify,
    verifyAsync,
    generateKeyPair,
    generateKeyPairAsync,
  };
}
