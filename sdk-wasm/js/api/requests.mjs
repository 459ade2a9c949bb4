// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): signed
// requests to the paysign gateway (docs/protocol.md §7).
//
// The core validates a method's fields and adds the envelope (app_id, method, version,
// timestamp, nonce) (`prepareRequest`), a Signer signs the parameters with its provider, and
// the core renders the signed request as a form, a query and JSON (`renderRequest`).
// Imports options.mjs.
import { checkKeys, optionalString, optionsObject } from './options.mjs';

function requestOptions(options, what, Signer) {
  if (options === undefined) throw new TypeError(`${what} needs options: { appId, signer }`);
  const opts = optionsObject(options, what);
  checkKeys(opts, ['appId', 'signer', 'timestamp', 'nonce'], what);
  const appId = optionalString(opts, 'appId');
  if (appId === undefined) throw new TypeError(`${what}: options.appId (your merchant app id) is required`);
  if (!(opts.signer instanceof Signer)) {
    throw new TypeError(`${what}: options.signer must be a Signer (new Signer({ privateKey }))`);
  }
  let timestamp = opts.timestamp;
  if (timestamp === undefined) timestamp = Math.floor(Date.now() / 1000);
  else if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) throw new TypeError(`${what}: options.timestamp must be a number of Unix seconds`);
  return { appId, signer: opts.signer, timestamp, nonce: optionalString(opts, 'nonce') };
}

/**
 * buildRequest and buildRequestAsync over the modules of one entry point (createApi's
 * context: `signing`, where the core's request builders are, beside the Signer) and its
 * Signer class, the only signer they take.
 */
export function requestFunctions({ runtime, signing }, Signer) {
  // The validated, enveloped, unsigned parameters: [[name, value], …].
  function unsignedRequest(method, fields, options, what) {
    runtime.bindings();
    if (typeof method !== 'string') throw new TypeError(`${what}: method must be a string such as 'order.create' (got ${typeof method})`);
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
      throw new TypeError(`${what}: the ${method} fields must be an object, e.g. { outTradeNo, totalAmount }`);
    }
    const opts = requestOptions(options, what, Signer);
    const wasm = signing.bindings();
    const flat = signing.call(() => wasm.prepareRequest(method, fields, opts.appId, opts.timestamp, opts.nonce));
    const pairs = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
    return { signer: opts.signer, pairs };
  }

  function signedRequest(method, signed) {
    const wasm = signing.bindings();
    const input = signing.buffers().params(signed);
    const [path, form, query, json] = signing.call(() => wasm.renderRequest(method, input.lens, input.bytes));
    const params = Object.freeze(Object.fromEntries(signed));
    return Object.freeze({
      method,
      path,
      params,
      nonce: params.nonce,
      toForm: () => form,
      toQuery: () => query,
      toJson: () => json,
    });
  }

  /**
   * A signed gateway request: fields validated by the core, the envelope (app_id, method,
   * version, timestamp, nonce) added, signed by `options.signer` with its provider.
   */
  function buildRequest(method, fields, options) {
    const { signer, pairs } = unsignedRequest(method, fields, options, 'buildRequest');
    return signedRequest(method, signer.signParams(pairs));
  }

  /** `buildRequest`, signing with the signer's asynchronous provider (WebCrypto by default). */
  async function buildRequestAsync(method, fields, options) {
    const { signer, pairs } = unsignedRequest(method, fields, options, 'buildRequestAsync');
    return signedRequest(method, await signer.signParamsAsync(pairs));
  }

  return { buildRequest, buildRequestAsync };
}
