// paysign for browsers, Deno and workers (ESM). The wasm module is instantiated
// explicitly: `await init()` fetches paysign_wasm_bg.wasm next to this file; `init(x)`
// takes a URL, a Response (or a promise of one), the bytes, or a compiled
// WebAssembly.Module (what Cloudflare Workers hand out for `import m from './x.wasm'`);
// `initSync(bytesOrModule)` does the same synchronously.
import initWasm, * as wasm from './web/paysign_wasm.js';
import { createApi, PaysignError } from './api.mjs';

let ready = false;
let pending = null;

function finish() {
  wasm.setErrorClass(PaysignError);
  ready = true;
}

/** Instantiates the wasm module once; later calls return the same promise. */
export function init(input) {
  if (ready) return Promise.resolve();
  if (pending === null) {
    const source = input === undefined ? new URL('./web/paysign_wasm_bg.wasm', import.meta.url) : input;
    pending = initWasm({ module_or_path: source }).then(finish, (error) => {
      pending = null;
      throw error;
    });
  }
  return pending;
}

/** Instantiates the wasm module synchronously from its bytes or a compiled module. */
export function initSync(module) {
  if (ready) return;
  if (module === undefined) throw new TypeError('initSync needs the module bytes or a WebAssembly.Module; use `await init()` to fetch it');
  wasm.initSync({ module });
  finish();
}

const api = createApi(wasm, { nodeCrypto: null, isReady: () => ready });

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
  canonicalize,
  sign,
  signAsync,
  verify,
  verifyAsync,
  generateKeyPair,
  generateKeyPairAsync,
} = api;
export { PaysignError };
