// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): the values of
// a request that a header-signed profile signs (wechat-v3: method, url, timestamp, nonce;
// standard-webhooks: id, timestamp; both: the body), for Signer.requestHeaders and its kin.
//
// Which values a profile takes, and which it requires or draws, is the platform's data from
// the core (`WasmSigner.requestValues`); this checks the JavaScript types and fills in the
// defaults. Imports options.mjs, params.mjs.
import { checkKeys } from './options.mjs';
import { badValue } from './params.mjs';

// What to pass for each value a header-signed request takes.
const REQUEST_VALUE_HINTS = {
  method: "the HTTP method, e.g. 'POST'",
  url: "the path and query exactly as sent, e.g. '/v3/pay/transactions/jsapi'",
  timestamp: 'the Unix seconds the request carries',
  nonce: 'the nonce the request carries',
  id: 'the message id, sent as webhook-id; retries keep it',
};

// Where a v3 request or a webhook message is described: { method, url, body, timestamp,
// nonce } / { id, body, timestamp }, each field checked for its JavaScript type.
function headerRequest(request, what, fields) {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new TypeError(`${what} needs an object: { ${fields.join(', ')} }`);
  }
  checkKeys(request, fields, what);
  const out = {};
  for (const name of fields) {
    const value = request[name];
    if (name === 'timestamp') {
      if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
        throw new TypeError(`${what}: timestamp must be whole Unix seconds, e.g. Math.floor(Date.now() / 1000) (got ${String(value)})`);
      }
      out.timestamp = value;
    } else if (value !== undefined && typeof value !== 'string') {
      throw badValue(`${what}: ${name}`, value);
    } else {
      out[name] = value;
    }
  }
  return out;
}

function required(request, name, what, hint) {
  if (request[name] === undefined) throw new TypeError(`${what}: ${name} is required (${hint})`);
  return request[name];
}

/**
 * The request's values, as the profile's data names them (`spec`: [name, need, …] with need
 * `required`, `optional` or `generated`), with their defaults: body '' (GET), the clock, a
 * nonce from `drawNonce()`. `exact` (the string to sign, which describes a request already
 * made) takes no defaults: every value must be given.
 */
export function requestValues(request, spec, what, exact, drawNonce) {
  const needs = new Map();
  for (let i = 0; i < spec.length; i += 2) needs.set(spec[i], spec[i + 1]);
  const r = headerRequest(request, what, [...needs.keys(), 'body']);
  for (const [name, need] of needs) {
    if (exact || (need === 'required' && name !== 'timestamp')) required(r, name, what, REQUEST_VALUE_HINTS[name]);
  }
  if (r.body === undefined) r.body = '';
  if (r.timestamp === undefined) r.timestamp = Math.floor(Date.now() / 1000);
  if (r.nonce === undefined && needs.get('nonce') === 'generated') r.nonce = drawNonce();
  return r;
}

/** `Signer.authorization()`'s shape, from `requestHeaders`': the header value and what it carries. */
export function authorizationOf({ headers, timestamp, nonce }) {
  return { authorization: headers.Authorization, timestamp, nonce };
}
