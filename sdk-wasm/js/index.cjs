// paysign for Node.js, CommonJS entry (`require('paysign')`). The ESM entry index.mjs
// re-exports this module, so both share one wasm instance and one PaysignError class.
'use strict';

const nodeCrypto = require('node:crypto');
const wasm = require('./node/paysign_wasm.js');
const { createApi, PaysignError } = require('./api.cjs');

wasm.setErrorClass(PaysignError);
const api = createApi(wasm, { nodeCrypto, isReady: () => true });

/**
 * Nothing to do on Node: the module is instantiated synchronously when first loaded.
 * Present so that code written for browsers (`await init()`) runs unchanged.
 */
async function init() {}

/** Nothing to do on Node (see `init`). */
function initSync() {}

module.exports = { ...api, init, initSync };
