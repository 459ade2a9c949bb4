// paysign for Node.js, CommonJS entry (`require('paysign')`). The ESM entry index.mjs
// re-exports this module, so both share one wasm instance and one PaysignError class.
'use strict';

const nodeCrypto = require('node:crypto');
const wasm = require('./node/paysign_wasm.js');
const { createApi } = require('./api/index.cjs');
const { PaysignError } = require('./api/errors.cjs');

wasm.setErrorClass(PaysignError);

// A wasm module that is compiled on the first call that needs it (`load` requires it:
// literally, so that bundlers see the file).
function lazyModule(load) {
  let module = null;
  return () => {
    if (module === null) {
      const loaded = load();
      loaded.setErrorClass(PaysignError);
      module = loaded;
    }
    return module;
  };
}

// The signing module (Signer, gateway requests: private keys and the RSA private operation),
// compiled when the first Signer is built: a merchant that only verifies notifications never
// pays for it (issue 22: the runtime's download and cold start).
const signing = lazyModule(() => require('./node/paysign_signing.js'));
// The tools module (reconcile, explain, key generation in wasm), compiled on the first call
// that needs it: a server that only signs and verifies never pays for it.
const tools = lazyModule(() => require('./node/paysign_tools.js'));
// The SM module (国密: runtime and signing with SM2, SM3 and SM4), compiled when the first
// object that needs it is built (an SM2 key, an SM2 or SM3 sign type).
const sm = lazyModule(() => require('./node/paysign_sm.js'));

const api = createApi(wasm, { nodeCrypto, isReady: () => true, signing, tools, sm });

/**
 * Nothing to do on Node: the module is instantiated synchronously when first loaded.
 * Present so that code written for browsers (`await init()`) runs unchanged.
 */
async function init() {}

/** Nothing to do on Node (see `init`). */
function initSync() {}

/**
 * Loads the signing module now instead of when the first Signer is built (a server that
 * signs can take its compilation out of its first request).
 */
async function initSigning() {
  signing();
}

/** `initSigning`, synchronously. */
function initSigningSync() {
  signing();
}

/**
 * Loads the tools module now instead of on first use (it is loaded synchronously when
 * `reconcile`, `explain` or key generation in wasm first needs it).
 */
async function initTools() {
  tools();
}

/** `initTools`, synchronously. */
function initToolsSync() {
  tools();
}

/** Loads the SM module now instead of when the first object needs it. */
async function initSm() {
  sm();
}

/** `initSm`, synchronously. */
function initSmSync() {
  sm();
}

module.exports = { ...api, init, initSync, initSigning, initSigningSync, initTools, initToolsSync, initSm, initSmSync };
