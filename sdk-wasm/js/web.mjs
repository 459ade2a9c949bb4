// paysign for browsers, Deno and workers (ESM). The wasm modules are instantiated
// explicitly: `await init()` fetches paysign_wasm_bg.wasm, the runtime (verifying), and
// paysign_signing_bg.wasm (Signer, gateway requests) next to this file; `init(x)` takes a
// URL, a Response (or a promise of one), the bytes, or a compiled WebAssembly.Module (what
// Cloudflare Workers hand out for `import m from './x.wasm'`) of the runtime alone, and
// `initSigning(y)` the same for the signing module, which a merchant that only verifies
// never loads; `initSync(bytesOrModule)` and `initSigningSync` do the same synchronously.
// `reconcile`, `explain` and key generation in wasm live in paysign_tools_bg.wasm, which
// most pages and workers never need: `await initTools()` (same arguments) loads it. 国密
// (SM2 keys, SM2 and SM3 sign types) lives in paysign_sm_bg.wasm: `await initSm()` before
// building such an object.
import initWasm, * as wasm from './web/paysign_wasm.js';
import initSigningWasm, * as signingWasm from './web/paysign_signing.js';
import initToolsWasm, * as toolsWasm from './web/paysign_tools.js';
import initSmWasm, * as smWasm from './web/paysign_sm.js';
import { createApi } from './api/index.mjs';
import { PaysignError } from './api/errors.mjs';

/**
 * One wasm module's instantiation: once, by URL/bytes/module, async or sync.
 *
 * @param {Function} instantiate  the wasm-bindgen default export (async init)
 * @param {object} bindings       the wasm-bindgen module (its initSync, setErrorClass)
 * @param {string} file           the module's file, next to this one under web/
 * @param {string} initName       the public init function, for error messages
 */
function loader(instantiate, bindings, file, initName) {
  let ready = false;
  let pending = null;
  const finish = () => {
    bindings.setErrorClass(PaysignError);
    ready = true;
  };
  return {
    isReady: () => ready,
    init(input) {
      if (ready) return Promise.resolve();
      if (pending === null) {
        const source = input === undefined ? new URL(`./web/${file}`, import.meta.url) : input;
        pending = instantiate({ module_or_path: source }).then(finish, (error) => {
          pending = null;
          throw error;
        });
      }
      return pending;
    },
    initSync(module) {
      if (ready) return;
      if (module === undefined) {
        throw new TypeError(`${initName}Sync needs the module bytes or a WebAssembly.Module; use \`await ${initName}()\` to fetch it`);
      }
      bindings.initSync({ module });
      finish();
    },
  };
}

const runtime = loader(initWasm, wasm, 'paysign_wasm_bg.wasm', 'init');
const signingLoader = loader(initSigningWasm, signingWasm, 'paysign_signing_bg.wasm', 'initSigning');
const toolsLoader = loader(initToolsWasm, toolsWasm, 'paysign_tools_bg.wasm', 'initTools');
const smLoader = loader(initSmWasm, smWasm, 'paysign_sm_bg.wasm', 'initSm');

/**
 * Instantiates the runtime module once; later calls resolve when it is ready. Without an
 * argument, before the runtime is ready, the signing module too, both fetched beside this
 * file (what `init()` always gave: everything but the tools and SM modules). Given the
 * runtime's source, only the runtime: `initSigning` takes the signing module's.
 */
export function init(input) {
  if (input !== undefined || runtime.isReady()) return runtime.init(input);
  return Promise.all([runtime.init(), signingLoader.init()]).then(() => {});
}

/** Instantiates the wasm module synchronously from its bytes or a compiled module. */
export const initSync = (module) => runtime.initSync(module);

/** Instantiates the signing module (Signer, buildRequest) once, like `init`. */
export const initSigning = (input) => signingLoader.init(input);

/** Instantiates the signing module synchronously from its bytes or a compiled module. */
export const initSigningSync = (module) => signingLoader.initSync(module);

/** Instantiates the tools module (reconcile, explain, key generation in wasm) once, like `init`. */
export const initTools = (input) => toolsLoader.init(input);

/** Instantiates the tools module synchronously from its bytes or a compiled module. */
export const initToolsSync = (module) => toolsLoader.initSync(module);

/**
 * Instantiates the SM module (国密: a Signer, Verifier or NotificationVerifier with an SM2
 * key, or an SM2/SM3 sign type, is built there) once, like `init`.
 */
export const initSm = (input) => smLoader.init(input);

/** Instantiates the SM module synchronously from its bytes or a compiled module. */
export const initSmSync = (module) => smLoader.initSync(module);

function signing() {
  if (!signingLoader.isReady()) {
    throw new Error('paysign signing (Signer, buildRequest) lives in its own module: `await initSigning()` (or initSigningSync()) first, or `await init()` without an argument, which loads it beside the runtime');
  }
  return signingWasm;
}

function sm() {
  if (!smLoader.isReady()) {
    throw new Error('paysign SM (国密: SM2 keys, SM2/SM3 sign types) lives in a third module: `await initSm()` (or initSmSync()) first');
  }
  return smWasm;
}

function tools() {
  if (!toolsLoader.isReady()) {
    throw new Error('paysign tools are not initialised: reconcile, explain, key generation in wasm and Alipay certificate SNs (appCert) live in a second module; `await initTools()` (or initToolsSync()) first');
  }
  return toolsWasm;
}

const api = createApi(wasm, { nodeCrypto: null, isReady: runtime.isReady, signing, tools, sm });

export const {
  Signer,
  Verifier,
  NotificationVerifier,
  buildRequest,
  buildRequestAsync,
  parseYuan,
  formatYuan,
  reconcile,
  explain,
  testNotification,
  canonicalize,
  sign,
  signAsync,
  verify,
  verifyAsync,
  generateKeyPair,
  generateKeyPairAsync,
} = api;
export { PaysignError };
