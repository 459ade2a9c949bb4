// paysign — the JavaScript layer shared by every entry point (index.cjs, web.mjs).
//
// This file only declares; scripts/build-wasm.sh appends the CommonJS or ESM export line,
// producing pkg/api.cjs and pkg/api.mjs. Everything that decides whether a message is
// valid lives in the wasm core; this layer checks JavaScript types, flattens parameters
// for a cheap crossing, and runs the RSA step in the chosen crypto provider.

/**
 * The one error type the package throws for message, key and configuration problems.
 * `code` is the core's stable code (`Error::code()` in paysign-core), e.g.
 * `SIGNATURE_MISMATCH`. Wrong JavaScript types throw `TypeError` instead.
 */
class PaysignError extends Error {
  /**
   * @param {string} message
   * @param {string} code
   */
  constructor(message, code) {
    super(message);
    this.name = 'PaysignError';
    this.code = code;
  }
}

const PROVIDERS = ['auto', 'wasm', 'node', 'webcrypto'];
const RSA_ALGORITHM = 'RSASSA-PKCS1-v1_5';

/**
 * Builds the public API over one instance of the wasm bindings.
 *
 * @param {object} wasm        the runtime wasm-bindgen module (node/ or web/ build)
 * @param {object} platform
 * @param {object|null} platform.nodeCrypto  `node:crypto`, or null outside Node
 * @param {() => boolean} platform.isReady     whether the wasm module is instantiated
 * @param {() => object} platform.tools        the tools module (reconcile, explain, key
 *   generation in wasm): loads it on first use where the runtime can do so synchronously
 *   (Node), else returns it once `initTools()` has, and throws before
 */
function createApi(wasm, platform) {
  const nodeCrypto = platform.nodeCrypto;
  const HasBuffer = typeof Buffer === 'function' ? Buffer : null;
  const encoder = new TextEncoder();

  let poisoned = null; // the runtime module trapped
  let toolsPoisoned = null; // the tools module trapped (the runtime is unaffected)

  function subtle() {
    const c = globalThis.crypto;
    return c && c.subtle ? c.subtle : null;
  }

  function ensureReady() {
    if (poisoned !== null) throw poisoned;
    if (!platform.isReady()) {
      throw new Error('paysign is not initialised: `await init()` (or call initSync()) before using it');
    }
  }

  // The tools module, for reconcile, explain and key generation in wasm (see platform.tools).
  function tools() {
    ensureReady();
    if (toolsPoisoned !== null) throw toolsPoisoned;
    return platform.tools();
  }

  // A trap from wasm means a Rust panic: a bug. The instance may be inconsistent after it,
  // so that module refuses further work instead of returning wrong answers.
  function fromWasm(e, module = wasm) {
    if (e instanceof PaysignError) return e;
    if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) {
      let detail = null;
      try {
        detail = module.takePanicMessage();
      } catch (_) {
        // The instance is unusable; the trap itself is the report.
      }
      const error = new Error(
        `paysign internal error (a bug, please report it): ${detail || e.message}; reload the module`,
        { cause: e },
      );
      if (module === wasm) poisoned = error;
      else toolsPoisoned = error;
      return error;
    }
    return e;
  }

  // ---- parameters -------------------------------------------------------------------

  // Every name and value concatenated, and their UTF-16 lengths, written straight into
  // two input buffers in wasm memory (see sdk-wasm/src/flat.rs): one crossing per call
  // instead of one per property, and no allocation or copy to get there. flatten() fills
  // them for the wasm call that follows it immediately.
  let lensBuffer = new Uint32Array(64);
  let flatLensCount = 0;
  let flatBytesCount = 0;

  let memory = null;
  let memoryBuffer = null;
  let lensAddress = 0;
  let lensView = null; // Uint32Array over the wasm lengths buffer, as long as lensBuffer
  let bytesAddress = 0;
  let bytesView = null; // Uint8Array over the wasm bytes buffer
  let bytesCapacity = 0;

  function writeInput(joined, n) {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const maxBytes = joined.length * 3;
    let moved = false;
    if (lensView === null || lensView.length !== lensBuffer.length) {
      lensAddress = wasm.reserveLens(lensBuffer.length);
      moved = true;
    }
    if (maxBytes > bytesCapacity || bytesAddress === 0) {
      bytesCapacity = Math.max(maxBytes, 4096);
      bytesAddress = wasm.reserveBytes(bytesCapacity);
      moved = true;
    }
    if (lensAddress === 0 || bytesAddress === 0) throw new Error('paysign internal error: the input buffers are unavailable');
    if (memory === null) memory = wasm.inputMemory();
    // Any wasm call may grow the memory, which replaces its ArrayBuffer (and our views).
    if (moved || memoryBuffer !== memory.buffer) {
      memoryBuffer = memory.buffer;
      lensView = new Uint32Array(memoryBuffer, lensAddress, lensBuffer.length);
      bytesView = new Uint8Array(memoryBuffer, bytesAddress, bytesCapacity);
    }
    lensView.set(lensBuffer);
    flatLensCount = n;
    flatBytesCount = encoder.encodeInto(joined, bytesView).written;
  }

  // Results that wasm writes into its output buffer (WasmVerifier.prepare), read in place.
  let outputAddress = -1;
  let outputBuffer = null;
  let outputView = null;

  function output(length) {
    const address = wasm.outputAddress();
    if (address !== outputAddress || outputBuffer !== memory.buffer || outputView.length < length) {
      outputAddress = address;
      outputBuffer = memory.buffer;
      outputView = new Uint8Array(outputBuffer, address, Math.max(length, 1024));
    }
    return outputView;
  }

  function badValue(where, value) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return new TypeError(
      `${where} must be a string (got ${got}); paysign signs exact text, so convert numbers yourself, e.g. String(1959)`,
    );
  }

  function growLens() {
    const bigger = new Uint32Array(lensBuffer.length * 2);
    bigger.set(lensBuffer);
    lensBuffer = bigger;
  }

  function flatten(params) {
    if (params === null || typeof params !== 'object') {
      throw new TypeError(
        `params must be an object, a Map, a URLSearchParams or an array of [name, value] pairs (got ${params === null ? 'null' : typeof params})`,
      );
    }
    let joined = '';
    let n = 0;
    if (typeof URLSearchParams === 'function' && params instanceof URLSearchParams) {
      for (const [key, value] of params) {
        if (n + 2 > lensBuffer.length) growLens();
        lensBuffer[n++] = key.length;
        lensBuffer[n++] = value.length;
        joined += key;
        joined += value;
      }
    } else if (params instanceof Map || Array.isArray(params)) {
      const isMap = !Array.isArray(params);
      let i = 0;
      for (const pair of params) {
        if (!isMap && (!Array.isArray(pair) || pair.length !== 2)) {
          throw new TypeError(`params[${i}] must be a [name, value] pair`);
        }
        const key = pair[0];
        const value = pair[1];
        if (typeof key !== 'string') throw badValue(isMap ? 'a Map key' : `params[${i}][0]`, key);
        if (typeof value !== 'string') throw badValue(`parameter ${JSON.stringify(key)}`, value);
        if (n + 2 > lensBuffer.length) growLens();
        lensBuffer[n++] = key.length;
        lensBuffer[n++] = value.length;
        joined += key;
        joined += value;
        i++;
      }
    } else {
      const keys = Object.keys(params);
      while (keys.length * 2 > lensBuffer.length) growLens();
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        const value = params[key];
        if (typeof value !== 'string') throw badValue(`parameter ${JSON.stringify(key)}`, value);
        lensBuffer[n++] = key.length;
        lensBuffer[n++] = value.length;
        joined += key;
        joined += value;
      }
    }
    writeInput(joined, n);
  }

  // The signed copy of `params`, of the same kind, with `fields` set as the core sets
  // them (an existing name keeps its place, a new one is appended).
  function withFields(params, fields) {
    if (typeof URLSearchParams === 'function' && params instanceof URLSearchParams) {
      const out = new URLSearchParams(params);
      for (const [k, v] of fields) out.set(k, v);
      return out;
    }
    if (params instanceof Map) {
      const out = new Map(params);
      for (const [k, v] of fields) out.set(k, v);
      return out;
    }
    if (Array.isArray(params)) {
      const out = params.map((pair) => [pair[0], pair[1]]);
      for (const [k, v] of fields) {
        const at = out.findIndex((pair) => pair[0] === k);
        if (at >= 0) out[at][1] = v;
        else out.push([k, v]);
      }
      return out;
    }
    const out = { ...params };
    for (const [k, v] of fields) out[k] = v;
    return out;
  }

  // ---- options ----------------------------------------------------------------------

  function optionsObject(options, what) {
    if (options === undefined) return {};
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new TypeError(`${what} options must be an object (got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options})`);
    }
    return options;
  }

  function optionalString(options, name) {
    const value = options[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new TypeError(`options.${name} must be a string (got ${typeof value})`);
    return value;
  }

  // Keys and secrets: text (PEM, bare base64, the secret) or bytes (DER, raw secret).
  function material(options, name) {
    const value = options[name];
    if (value === undefined) return undefined;
    return name === 'secret' ? secretBytes(value, `options.${name}`) : keyBytes(value, `options.${name}`);
  }

  function keyBytes(value, where) {
    if (typeof value === 'string') return encoder.encode(value);
    if (value instanceof Uint8Array) return derAsBase64(value);
    throw new TypeError(`${where} must be a string (PEM or base64) or a Uint8Array (got ${value === null ? 'null' : typeof value})`);
  }

  function secretBytes(value, where) {
    if (typeof value === 'string') return encoder.encode(value);
    if (value instanceof Uint8Array) return value;
    throw new TypeError(`${where} must be a string or a Uint8Array (got ${value === null ? 'null' : typeof value})`);
  }

  // DER keys cross as base64 text: paysign-core 0.1 trims ASCII whitespace from key input
  // before telling DER from text, which truncates a DER key whose last byte happens to be
  // 0x09/0x0A/0x0C/0x0D/0x20 (about 2% of keys). Base64 has no such bytes. Remove once the
  // core leaves DER untrimmed.
  function derAsBase64(bytes) {
    return bytes.length > 0 && bytes[0] === 0x30 ? encoder.encode(toBase64(bytes)) : bytes;
  }

  function credentials(options, keyName) {
    const key = material(options, keyName);
    const secret = material(options, 'secret');
    if (key !== undefined && secret !== undefined) {
      throw new TypeError(`pass either options.${keyName} or options.secret, not both`);
    }
    return { key, secret };
  }

  function providerOf(options) {
    const provider = options.provider === undefined ? 'auto' : options.provider;
    if (!PROVIDERS.includes(provider)) {
      throw new TypeError(`options.provider must be one of ${PROVIDERS.join(', ')} (got ${String(provider)})`);
    }
    if (provider === 'node' && nodeCrypto === null) {
      throw new Error("provider 'node' needs node:crypto, which this runtime does not have; use 'wasm' or 'webcrypto'");
    }
    if (provider === 'webcrypto' && subtle() === null) {
      throw new Error("provider 'webcrypto' needs crypto.subtle (a secure context), which this runtime does not have; use 'wasm'");
    }
    // Synchronous methods: node:crypto where it exists, else wasm. Asynchronous methods:
    // WebCrypto (off the main thread) where it exists, else the synchronous choice.
    const sync = provider === 'auto' ? (nodeCrypto !== null ? 'node' : 'wasm') : provider;
    const async = provider === 'auto' ? (subtle() !== null ? 'webcrypto' : sync) : provider;
    return { sync, async };
  }

  const SHA1 = Object.freeze({ node: 'sha1', web: 'SHA-1' });
  const SHA256 = Object.freeze({ node: 'sha256', web: 'SHA-256' });

  function hashOf(signType) {
    return signType === 'RSA' ? SHA1 : SHA256;
  }

  // First byte of WasmVerifier.prepare()'s buffer (sdk-wasm/src/verifier.rs).
  const PREPARED_SIGN_TYPES = [null, 'RSA', 'RSA2'];

  function toBase64(bytes) {
    if (HasBuffer !== null) return HasBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    let binary = '';
    for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }

  function webcryptoSync() {
    return new Error("provider 'webcrypto' is asynchronous: call signAsync()/verifyAsync(), or use provider 'wasm' or 'node'");
  }

  // ---- Signer -------------------------------------------------------------------------

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

  // Alipay certificate mode: [app_cert_sn, alipay_root_cert_sn] from the certificates,
  // computed once by the tools module (setup work, kept out of the runtime module).
  function alipayCertSns(opts) {
    const appCert = material(opts, 'appCert');
    const rootCert = material(opts, 'alipayRootCert');
    if (appCert === undefined && rootCert === undefined) return undefined;
    if (appCert === undefined || rootCert === undefined) {
      throw new TypeError('Alipay certificate mode needs both options.appCert (your application certificate) and options.alipayRootCert (alipayRootCert.crt)');
    }
    const module = tools();
    try {
      return module.alipayCertSns(appCert, rootCert);
    } catch (e) {
      throw fromWasm(e, module);
    }
  }

  // What to pass for each value a header-signed request takes (`Signer.requestHeaders`).
  const REQUEST_VALUE_HINTS = {
    method: "the HTTP method, e.g. 'POST'",
    url: "the path and query exactly as sent, e.g. '/v3/pay/transactions/jsapi'",
    timestamp: 'the Unix seconds the request carries',
    nonce: 'the nonce the request carries',
    id: 'the message id, sent as webhook-id; retries keep it',
  };

  // `authorization()`'s shape: the header value and what it carries.
  function authorizationOf({ headers, timestamp, nonce }) {
    return { authorization: headers.Authorization, timestamp, nonce };
  }

  /** Parses a key once and signs many messages. */
  class Signer {
    #inner;
    #profile;
    #message;
    #provider;
    #isRsa;
    #signType;
    #field;
    #typeParam;
    #certFields;
    #nodeKey = null;
    #webKey = null;

    /** @param {object} options */
    constructor(options) {
      ensureReady();
      if (options === undefined) {
        throw new TypeError('Signer needs options: { privateKey } for RSA/RSA2 or { secret } for MD5/HMAC-SHA256/SHA256 (signType defaults to the profile\'s default for the credential)');
      }
      const opts = optionsObject(options, 'Signer');
      const profile = optionalString(opts, 'profile') ?? 'paysign';
      const message = optionalString(opts, 'message') ?? 'request';
      const signType = optionalString(opts, 'signType');
      const { key, secret } = credentials(opts, 'privateKey');
      const mchId = optionalString(opts, 'mchId');
      const serialNo = optionalString(opts, 'serialNo');
      const certSns = alipayCertSns(opts);
      this.#provider = providerOf(opts);
      try {
        const extras = new wasm.WasmSignerExtras(mchId, serialNo, certSns);
        this.#inner = new wasm.WasmSigner(profile, message, signType, key, secret, extras);
        this.#isRsa = this.#inner.isRsa;
        this.#signType = this.#inner.signType;
        this.#field = this.#inner.signatureField;
        this.#typeParam = this.#inner.signTypeParam ?? null;
        this.#certFields = this.#inner.certFields ?? null;
      } catch (e) {
        throw fromWasm(e);
      }
      this.#profile = profile;
      this.#message = message;
    }

    /** The profile name given (default `paysign`). */
    get profile() {
      return this.#profile;
    }

    /** The message kind signed (default `request`). */
    get message() {
      return this.#message;
    }

    /** The sign type in use. */
    get signType() {
      return this.#signType;
    }

    /** Where the RSA step of `sign` (sync) and `signAsync` runs; digests always run in wasm. */
    get provider() {
      return this.#isRsa ? { ...this.#provider } : { sync: 'wasm', async: 'wasm' };
    }

    #live() {
      if (this.#inner === null) throw new TypeError('this Signer was freed');
      if (poisoned !== null) throw poisoned;
    }

    /** The canonical string `sign` signs. */
    canonicalize(params) {
      this.#live();
      flatten(params);
      try {
        return this.#inner.canonical(flatLensCount, flatBytesCount);
      } catch (e) {
        throw fromWasm(e);
      }
    }

    /** The signature of `params` as they are (no field added). */
    sign(params) {
      return this.#signSync(params, false);
    }

    /** A copy of `params` (same kind) with `sign_type` (unless implied) and `sign` added. */
    signParams(params) {
      return this.#signSync(params, true);
    }

    /** `sign`, with the RSA step in the asynchronous provider (WebCrypto by default). */
    async signAsync(params) {
      return this.#signAsync(params, false);
    }

    /** `signParams`, with the RSA step in the asynchronous provider. */
    async signParamsAsync(params) {
      return this.#signAsync(params, true);
    }

    /**
     * Header-signed profiles (wechat-v3, standard-webhooks): the headers to send with a
     * request, `{ headers, timestamp, nonce? }`. The request gives the values the profile
     * signs (wechat-v3: method, url; standard-webhooks: id) and the body, the exact text
     * sent (default ''); timestamp defaults to the clock, a nonce the profile takes is
     * drawn. The RSA step runs in the synchronous provider, as for `sign`.
     */
    requestHeaders(request) {
      return this.#signHeaders(request, 'requestHeaders', this.#provider.sync);
    }

    /** `requestHeaders`, with the RSA step in the asynchronous provider (WebCrypto by default). */
    async requestHeadersAsync(request) {
      return this.#signHeadersAsync(request, 'requestHeadersAsync');
    }

    /**
     * WeChat Pay v3: the `Authorization` header of a request, and the timestamp and nonce
     * it carries: `requestHeaders` for a profile that signs in `Authorization`.
     */
    authorization(request) {
      this.#sends('Authorization', 'authorization()');
      return authorizationOf(this.#signHeaders(request, 'authorization', this.#provider.sync));
    }

    /** `authorization`, with the RSA step in the asynchronous provider (WebCrypto by default). */
    async authorizationAsync(request) {
      this.#sends('Authorization', 'authorizationAsync()');
      return authorizationOf(await this.#signHeadersAsync(request, 'authorizationAsync'));
    }

    /**
     * Header-signed profiles: the string a request's signature covers, from the values it
     * carries, all given (wechat-v3 `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`,
     * standard-webhooks `ID.TIMESTAMP.BODY`).
     */
    stringToSign(request) {
      this.#live();
      return this.#stringToSign(this.#headerValues(request, 'stringToSign', true));
    }

    /**
     * Standard Webhooks: the three headers of message `id` with `body` (the exact text
     * sent), signed at `timestamp` (default: the clock): `requestHeaders(...).headers`.
     */
    webhookHeaders(message) {
      this.#sends('webhook-signature', 'webhookHeaders()');
      return this.#signHeaders(message, 'webhookHeaders', 'wasm').headers;
    }

    // Refuses a profile-specific method on a Signer whose profile's requests do not carry
    // `header` (the platform's data, from the core).
    #sends(header, what) {
      this.#live();
      const names = this.#inner.requestHeaderNames;
      if (!names.includes(header)) {
        throw new PaysignError(
          `${what} is for a Signer whose profile signs requests in the ${header} header; this one's (${this.#profile}) ${names.length ? `sends ${names.join(', ')}: call requestHeaders()` : 'signs a field: call sign() or signParams()'}`,
          'UNSUPPORTED_OPERATION',
        );
      }
    }

    #signHeaders(request, what, provider) {
      this.#live();
      const r = this.#headerValues(request, what, false);
      const step = this.#isRsa ? provider : 'wasm';
      if (step === 'webcrypto') throw new Error(`provider 'webcrypto' is asynchronous: call ${what}Async(), or use provider 'wasm' or 'node'`);
      if (step === 'wasm') return this.#headers(r, undefined);
      return this.#headers(r, this.#nodeSign(encoder.encode(this.#stringToSign(r))));
    }

    async #signHeadersAsync(request, what) {
      this.#live();
      const provider = this.#provider.async;
      if (!this.#isRsa || provider !== 'webcrypto') return this.#signHeaders(request, what, provider);
      const r = this.#headerValues(request, what, false);
      const signature = await this.#webSign(encoder.encode(this.#stringToSign(r)));
      this.#live();
      return this.#headers(r, signature);
    }

    #stringToSign(r) {
      try {
        return this.#inner.requestStringToSign(r.method, r.url, r.timestamp, r.nonce, r.id, r.body);
      } catch (e) {
        throw fromWasm(e);
      }
    }

    // Assembled by the core (and signed there when `signature` is undefined).
    #headers(r, signature) {
      let flat;
      try {
        flat = this.#inner.requestHeaders(r.method, r.url, r.timestamp, r.nonce, r.id, r.body, signature);
      } catch (e) {
        throw fromWasm(e);
      }
      const headers = {};
      for (let i = 0; i < flat.length; i += 2) headers[flat[i]] = flat[i + 1];
      const signed = { headers, timestamp: r.timestamp };
      if (r.nonce !== undefined) signed.nonce = r.nonce;
      return signed;
    }

    // The request's values, as the profile's data names them, with their defaults: body ''
    // (GET), the clock, a drawn nonce; the string to sign takes no defaults (it describes a
    // request already made).
    #headerValues(request, what, exact) {
      const spec = this.#inner.requestValues;
      if (spec.length === 0) {
        // A k=v profile: the core's refusal, worded for JavaScript.
        try {
          this.#inner.requestStringToSign(undefined, undefined, 0, undefined, undefined, '');
        } catch (e) {
          throw fromWasm(e);
        }
      }
      const needs = new Map();
      for (let i = 0; i < spec.length; i += 2) needs.set(spec[i], spec[i + 1]);
      const r = headerRequest(request, what, [...needs.keys(), 'body']);
      for (const [name, need] of needs) {
        if (exact || (need === 'required' && name !== 'timestamp')) required(r, name, what, REQUEST_VALUE_HINTS[name]);
      }
      if (r.body === undefined) r.body = '';
      if (r.timestamp === undefined) r.timestamp = Math.floor(Date.now() / 1000);
      if (r.nonce === undefined && needs.get('nonce') === 'generated') {
        try {
          r.nonce = wasm.randomNonce();
        } catch (e) {
          throw fromWasm(e);
        }
      }
      return r;
    }

    /** Frees the parsed key now (it is zeroised); otherwise garbage collection does it. */
    free() {
      if (this.#inner !== null) {
        this.#inner.free();
        this.#inner = null;
        this.#nodeKey = null;
        this.#webKey = null;
      }
    }

    // The four signing methods: `addFields` for signParams (the fields added, a signed copy
    // returned), not for sign (the signature of the parameters as they are).
    #signSync(params, addFields) {
      this.#live();
      flatten(params);
      const provider = this.#isRsa ? this.#provider.sync : 'wasm';
      if (provider === 'webcrypto') throw webcryptoSync();
      return this.#signNow(provider, params, addFields);
    }

    async #signAsync(params, addFields) {
      this.#live();
      flatten(params);
      const provider = this.#isRsa ? this.#provider.async : 'wasm';
      if (provider !== 'webcrypto') return this.#signNow(provider, params, addFields);
      let signed;
      try {
        signed = this.#signedBytes(addFields);
      } catch (e) {
        throw fromWasm(e);
      }
      const signature = await this.#webSign(signed);
      return addFields ? this.#signed(params, signature) : signature;
    }

    // Signs what flatten() wrote, in wasm or with node:crypto.
    #signNow(provider, params, addFields) {
      let signature;
      try {
        if (provider === 'wasm') {
          signature = addFields
            ? this.#inner.signParams(flatLensCount, flatBytesCount)
            : this.#inner.sign(flatLensCount, flatBytesCount);
        } else {
          signature = this.#nodeSign(this.#signedBytes(addFields));
        }
      } catch (e) {
        throw fromWasm(e);
      }
      return addFields ? this.#signed(params, signature) : signature;
    }

    // What an RSA signature covers (WasmSigner.signedBytes), for a host provider.
    #signedBytes(addFields) {
      return addFields
        ? this.#inner.signedBytesForSignParams(flatLensCount, flatBytesCount)
        : this.#inner.signedBytes(flatLensCount, flatBytesCount);
    }

    #signed(params, signature) {
      const c = this.#certFields;
      const fields = c === null ? [] : [[c[0], c[1]], [c[2], c[3]]];
      if (this.#typeParam !== null) fields.push([this.#typeParam[0], this.#typeParam[1]]);
      fields.push([this.#field, signature]);
      return withFields(params, fields);
    }

    // `signed`: the bytes the signature covers (WasmSigner.signedBytes).
    #nodeSign(signed) {
      if (this.#nodeKey === null) {
        const der = this.#inner.keyDer();
        this.#nodeKey = nodeCrypto.createPrivateKey({ key: HasBuffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'pkcs8' });
        der.fill(0);
      }
      return nodeCrypto.sign(hashOf(this.#signType).node, signed, this.#nodeKey).toString('base64');
    }

    async #webSign(signed) {
      if (this.#webKey === null) {
        const der = this.#inner.keyDer();
        this.#webKey = subtle()
          .importKey('pkcs8', der, { name: RSA_ALGORITHM, hash: hashOf(this.#signType).web }, false, ['sign'])
          .finally(() => der.fill(0));
      }
      const key = await this.#webKey;
      const signature = await subtle().sign(RSA_ALGORITHM, key, signed);
      return toBase64(new Uint8Array(signature));
    }
  }

  // ---- Verifier -----------------------------------------------------------------------

  /** Parses a key once and verifies many messages. */
  class Verifier {
    #inner;
    #profile;
    #message;
    #provider;
    #isRsa;
    #accepted;
    #signatureLength;
    #nodeKey = null;
    #signatureView = null;
    #webKeys = new Map();

    /** @param {object} options */
    constructor(options) {
      ensureReady();
      if (options === undefined) {
        throw new TypeError('Verifier needs options: { publicKey } for RSA/RSA2 or { secret } for MD5/HMAC-SHA256/SHA256 (signType defaults to the profile\'s default for the credential)');
      }
      const opts = optionsObject(options, 'Verifier');
      const profile = optionalString(opts, 'profile') ?? 'paysign';
      const message = optionalString(opts, 'message') ?? 'notification';
      const accepted = acceptedOf(opts);
      const { key, secret } = credentials(opts, 'publicKey');
      this.#provider = providerOf(opts);
      try {
        this.#inner = new wasm.WasmVerifier(profile, message, accepted, key, secret);
        this.#isRsa = this.#inner.isRsa;
        this.#accepted = Object.freeze(this.#inner.accepted);
        this.#signatureLength = this.#inner.signatureLength;
      } catch (e) {
        throw fromWasm(e);
      }
      this.#profile = profile;
      this.#message = message;
    }

    /** The profile name given (default `paysign`). */
    get profile() {
      return this.#profile;
    }

    /** The message kind verified (default `notification`). */
    get message() {
      return this.#message;
    }

    /** The sign types this verifier accepts; a message cannot choose another. */
    get accepted() {
      return this.#accepted;
    }

    /** Where the RSA step of `verify` (sync) and `verifyAsync` runs; digests always run in wasm. */
    get provider() {
      return this.#isRsa ? { ...this.#provider } : { sync: 'wasm', async: 'wasm' };
    }

    #live() {
      if (this.#inner === null) throw new TypeError('this Verifier was freed');
      if (poisoned !== null) throw poisoned;
    }

    /** The canonical string a message's signature must cover. */
    canonicalize(params) {
      this.#live();
      flatten(params);
      try {
        return this.#inner.canonical(flatLensCount, flatBytesCount);
      } catch (e) {
        throw fromWasm(e);
      }
    }

    /**
     * Checks the signature of `params` (which include `sign`). Returns
     * `{ valid: true, signType }` or throws PaysignError — never returns `valid: false`.
     */
    verify(params) {
      this.#live();
      flatten(params);
      const provider = this.#isRsa ? this.#provider.sync : 'wasm';
      try {
        if (provider === 'wasm') return { valid: true, signType: this.#inner.verify(flatLensCount, flatBytesCount) };
        if (provider === 'webcrypto') throw webcryptoSync();
        const length = this.#inner.prepare(flatLensCount, flatBytesCount);
        return this.#nodeVerify(output(length), length);
      } catch (e) {
        throw fromWasm(e);
      }
    }

    /** `verify`, with the RSA step in the asynchronous provider (WebCrypto by default). */
    async verifyAsync(params) {
      this.#live();
      flatten(params);
      const provider = this.#isRsa ? this.#provider.async : 'wasm';
      let prepared;
      try {
        if (provider === 'wasm') return { valid: true, signType: this.#inner.verify(flatLensCount, flatBytesCount) };
        const length = this.#inner.prepare(flatLensCount, flatBytesCount);
        if (provider === 'node') return this.#nodeVerify(output(length), length);
        // Copied: wasm memory may change while WebCrypto works.
        prepared = output(length).slice(0, length);
      } catch (e) {
        throw fromWasm(e);
      }
      const signType = PREPARED_SIGN_TYPES[prepared[0]];
      const end = 1 + this.#signatureLength;
      const key = await this.#webKey(signType);
      const ok = await subtle().verify(RSA_ALGORITHM, key, prepared.subarray(1, end), prepared.subarray(end));
      if (!ok) throw wasm.signatureMismatch();
      return { valid: true, signType };
    }

    /** Frees the parsed key now; otherwise garbage collection does it. */
    free() {
      if (this.#inner !== null) {
        this.#inner.free();
        this.#inner = null;
        this.#nodeKey = null;
        this.#webKeys.clear();
      }
    }

    // `prepared[0, length)`: [sign type][signature][canonical UTF-8], see WasmVerifier.prepare.
    #nodeVerify(prepared, length) {
      if (this.#nodeKey === null) {
        const der = this.#inner.keyDer();
        this.#nodeKey = nodeCrypto.createPublicKey({ key: HasBuffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'spki' });
      }
      const signType = PREPARED_SIGN_TYPES[prepared[0]];
      const end = 1 + this.#signatureLength;
      // The signature always sits at [1, end) of the output buffer: keep its view while the buffer stays.
      if (this.#signatureView === null || this.#signatureView.buffer !== prepared.buffer || this.#signatureView.byteOffset !== prepared.byteOffset + 1) {
        this.#signatureView = prepared.subarray(1, end);
      }
      const ok = nodeCrypto.verify(hashOf(signType).node, prepared.subarray(end, length), this.#nodeKey, this.#signatureView);
      if (!ok) throw wasm.signatureMismatch();
      return { valid: true, signType };
    }

    #webKey(signType) {
      let key = this.#webKeys.get(signType);
      if (key === undefined) {
        const der = this.#inner.keyDer();
        key = subtle().importKey('spki', der, { name: RSA_ALGORITHM, hash: hashOf(signType).web }, false, ['verify']);
        this.#webKeys.set(signType, key);
      }
      return key;
    }
  }

  function acceptedOf(opts) {
    const one = optionalString(opts, 'signType');
    const many = opts.signTypes;
    if (many !== undefined) {
      if (one !== undefined) throw new TypeError('pass either options.signType or options.signTypes, not both');
      if (!Array.isArray(many) || many.length === 0 || many.some((s) => typeof s !== 'string')) {
        throw new TypeError('options.signTypes must be a non-empty array of sign type names');
      }
      return many.slice();
    }
    return one === undefined ? [] : [one];
  }

  // Explicit resource management (`using signer = new Signer(...)`) where the runtime has it.
  if (typeof Symbol.dispose === 'symbol') {
    Signer.prototype[Symbol.dispose] = function dispose() {
      this.free();
    };
    Verifier.prototype[Symbol.dispose] = function dispose() {
      this.free();
    };
  }

  // ---- raw bodies, headers and per-call options --------------------------------------------

  function bodyBytes(body, what) {
    if (typeof body === 'string') return encoder.encode(body);
    if (body instanceof Uint8Array) return body;
    if (body instanceof ArrayBuffer) return new Uint8Array(body);
    if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    const got = body === null ? 'null' : typeof body;
    const hint =
      what === 'body' && got === 'object'
        ? ': an object is a body some framework parsed already, and a signature covers the exact bytes received — read the raw body instead (express.raw(), request.arrayBuffer(), the chunks of a node:http request)'
        : '';
    throw new TypeError(`${what} must be a string, a Uint8Array (Buffer) or an ArrayBuffer (got ${got})${hint}`);
  }

  // HTTP headers as a flat [name₀, value₀, name₁, value₁, …] list, from a fetch Headers or a
  // Map, node:http's req.headers (array values repeat the header; undefined is skipped), or
  // an array of [name, value] pairs. What repeated headers mean is the core's decision.
  function headerList(headers, where) {
    const list = [];
    if (headers === undefined) return list;
    if (headers === null || typeof headers !== 'object') {
      throw new TypeError(`${where} must be a Headers, a Map, an object or an array of [name, value] pairs (got ${headers === null ? 'null' : typeof headers})`);
    }
    const add = (name, value) => {
      if (typeof name !== 'string') throw new TypeError(`${where}: header names must be strings (got ${typeof name})`);
      if (typeof value !== 'string') throw new TypeError(`${where}: header ${JSON.stringify(name)} must be a string (got ${value === null ? 'null' : typeof value})`);
      list.push(name, value);
    };
    if (Array.isArray(headers)) {
      for (let i = 0; i < headers.length; i++) {
        const pair = headers[i];
        if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError(`${where}[${i}] must be a [name, value] pair`);
        add(pair[0], pair[1]);
      }
    } else if (typeof headers.forEach === 'function' && typeof headers.get === 'function') {
      headers.forEach((value, name) => add(name, value));
    } else {
      for (const name of Object.keys(headers)) {
        const value = headers[name];
        if (value === undefined) continue;
        if (Array.isArray(value)) for (const one of value) add(name, one);
        else add(name, value);
      }
    }
    return list;
  }

  // Writes a flat list of strings (see headerList) into the input buffers.
  function writeList(list) {
    while (list.length > lensBuffer.length) growLens();
    let joined = '';
    for (let i = 0; i < list.length; i++) {
      lensBuffer[i] = list[i].length;
      joined += list[i];
    }
    writeInput(joined, list.length);
  }

  function checkKeys(opts, allowed, what) {
    for (const key of Object.keys(opts)) {
      if (!allowed.includes(key)) {
        throw new TypeError(`${what}: unknown option ${JSON.stringify(key)} (expected one of ${allowed.join(', ')})`);
      }
    }
  }

  function nowOf(now, where) {
    if (now === undefined) return Date.now() / 1000;
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      throw new TypeError(`${where} must be a finite number of Unix seconds (default Date.now() / 1000)`);
    }
    return now;
  }

  // Amounts are integer fen; wasm refuses anything but a safe integer ≥ 0 (AMOUNT_INVALID).
  function fenOf(value, where) {
    if (typeof value !== 'number') {
      throw new TypeError(`${where} must be a number of fen (got ${value === null ? 'null' : typeof value}); for yuan text use parseYuan('12.34')`);
    }
    return value;
  }

  function secondsOf(opts, name) {
    const value = opts[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number') throw new TypeError(`options.${name} must be a number of seconds (got ${value === null ? 'null' : typeof value})`);
    return value;
  }

  function signTypeList(value, where) {
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.length === 0 || value.some((s) => typeof s !== 'string')) {
      throw new TypeError(`${where} must be a non-empty array of sign type names, e.g. ['RSA2']`);
    }
    return value.slice();
  }

  // [id, key] entries of a Record, a Map or an array of pairs.
  function entriesOf(value, where) {
    let entries;
    if (value instanceof Map) entries = [...value];
    else if (Array.isArray(value)) entries = value;
    else if (value !== null && typeof value === 'object') entries = Object.entries(value);
    else throw new TypeError(`${where} must be an object, a Map or an array of [id, value] pairs`);
    entries.forEach((entry, i) => {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') {
        throw new TypeError(`${where}: entry ${i} must be an [id, value] pair with a string id`);
      }
    });
    if (entries.length === 0) throw new TypeError(`${where} is empty`);
    return entries;
  }

  const VERIFY_OPTIONS = ['contentType', 'headers', 'expectedAmount', 'now'];

  function verifyOptions(options, what) {
    const opts = optionsObject(options, what);
    checkKeys(opts, VERIFY_OPTIONS, what);
    return {
      contentType: optionalString(opts, 'contentType'),
      headers: headerList(opts.headers, 'options.headers'),
      expected: opts.expectedAmount === undefined ? undefined : fenOf(opts.expectedAmount, 'options.expectedAmount'),
      now: nowOf(opts.now, 'options.now'),
    };
  }

  // A prepared RSA check in wasm's output buffer (sdk-wasm/src/notification.rs):
  // [sign type][key index: u32 LE][signature length: u32 LE][signature][signed bytes].
  function preparedIndex(bytes) {
    return (bytes[1] | (bytes[2] << 8) | (bytes[3] << 16) | (bytes[4] << 24)) >>> 0;
  }

  function preparedParts(bytes, length) {
    const signatureLength = (bytes[5] | (bytes[6] << 8) | (bytes[7] << 16) | (bytes[8] << 24)) >>> 0;
    const end = 9 + signatureLength;
    return {
      signType: PREPARED_SIGN_TYPES[bytes[0]],
      index: preparedIndex(bytes),
      signature: bytes.subarray(9, end),
      signed: bytes.subarray(end, length),
    };
  }

  function sameBytes(view, length, copy) {
    if (copy === null || length !== copy.length) return false;
    for (let i = 0; i < length; i++) if (view[i] !== copy[i]) return false;
    return true;
  }

  // Thrown out of wasm by the first pass of verifyAsync once the RSA check is prepared.
  const PREPARED = Object.freeze({ paysign: 'the RSA check is prepared' });

  // ---- NotificationVerifier -------------------------------------------------------------

  const NOTIFICATION_OPTIONS = [
    'profile',
    'publicKey',
    'publicKeys',
    'secret',
    'secrets',
    'decryptionKey',
    'accept',
    'appId',
    'mchId',
    'toleranceSecs',
    'maxAgeSecs',
    'leaseSecs',
    'provider',
    'replayStore',
  ];

  // options.replayStore: the caller's own store of notification ids (see index.d.ts).
  function replayStoreOf(value) {
    if (value === undefined) return null;
    if (value === null || typeof value !== 'object' || ['claim', 'complete', 'release'].some((m) => typeof value[m] !== 'function')) {
      throw new TypeError('options.replayStore must be an object with claim(id, now, leaseUntil), complete(id, now, keepUntil) and release(id, token) methods');
    }
    return value;
  }

  // What a caller's store answered to claim(), checked: a store that answers anything else
  // is a programming error, not a verdict on the notification.
  function claimOf(answer) {
    const status = answer !== null && typeof answer === 'object' ? answer.status : undefined;
    if (status === 'claimed' && typeof answer.token === 'string' && answer.token !== '') return answer;
    if (status === 'in-progress' || status === 'done') return answer;
    throw new TypeError("replayStore.claim must return (or resolve to) { status: 'claimed', token }, { status: 'in-progress' } or { status: 'done' }");
  }

  // A failure of the caller's store, as the PaysignError REPLAY_STORE_UNAVAILABLE (its
  // own TypeErrors, which are bugs in the store, pass through).
  function storeFailure(e) {
    if (e instanceof PaysignError || e instanceof TypeError) return e;
    const error = wasm.WasmNotificationVerifier.replayError('', String(e?.message ?? e));
    error.cause = e;
    return error;
  }

  // An acknowledgement as a fetch Response, for route handlers of fetch-based runtimes.
  function responseOf(ack, what) {
    if (typeof Response !== 'function') {
      throw new Error(`${what} needs the fetch Response class, which this runtime lacks; use ${what.replace('Response', '')}()`);
    }
    return new Response(ack.body, { status: ack.status, headers: { 'content-type': ack.contentType } });
  }

  function notificationArgument(notification, what) {
    if (notification === null || typeof notification !== 'object' || typeof notification.notifyId !== 'string') {
      throw new TypeError(`${what}(notification): pass the notification verify() returned`);
    }
  }

  function completeOptions(options, what) {
    const opts = optionsObject(options, what);
    checkKeys(opts, ['now'], what);
    return nowOf(opts.now, 'options.now');
  }

  /**
   * Verifies a platform's asynchronous notifications (and the gateway's responses) for one
   * merchant: configured once, then `verify(rawBody, { headers })` per request.
   */
  class NotificationVerifier {
    #inner = null;
    #profile;
    #provider;
    #isRsa;
    #accepted;
    #nodeKeys = new Map();
    #webKeys = new Map();
    #nodeCheck;
    #replayStore;
    #replayWindow;
    #leaseSecs;
    // The claim token of each notification this verifier handed out and that is neither
    // completed nor released: kept off the object the caller sees and may log or serialise.
    #claims = new WeakMap();

    /** @param {object} options */
    constructor(options) {
      ensureReady();
      if (options === undefined) {
        throw new TypeError(
          "NotificationVerifier needs options: { publicKey } (the platform's RSA key), { publicKeys: { [serial]: key } } or { secret }",
        );
      }
      const opts = optionsObject(options, 'NotificationVerifier');
      checkKeys(opts, NOTIFICATION_OPTIONS, 'NotificationVerifier');
      const profile = optionalString(opts, 'profile') ?? 'paysign';
      const accept = signTypeList(opts.accept, 'options.accept');
      const given = ['publicKey', 'publicKeys', 'secret', 'secrets'].filter((k) => opts[k] !== undefined);
      if (given.length > 1) throw new TypeError(`pass one credential, not ${given.join(' and ')}`);
      const appId = optionalString(opts, 'appId');
      const mchId = optionalString(opts, 'mchId');
      const tolerance = secondsOf(opts, 'toleranceSecs');
      const maxAge = secondsOf(opts, 'maxAgeSecs');
      const lease = secondsOf(opts, 'leaseSecs');
      const publicKeys = opts.publicKeys === undefined ? [] : entriesOf(opts.publicKeys, 'options.publicKeys');
      let secrets = [];
      if (opts.secret !== undefined) secrets = [secretBytes(opts.secret, 'options.secret')];
      if (opts.secrets !== undefined) {
        if (!Array.isArray(opts.secrets) || opts.secrets.length === 0) throw new TypeError('options.secrets must be a non-empty array');
        secrets = opts.secrets.map((s, i) => secretBytes(s, `options.secrets[${i}]`));
      }
      this.#provider = providerOf(opts);
      this.#replayStore = replayStoreOf(opts.replayStore);
      let config;
      try {
        config = new wasm.WasmNotificationConfig(profile, accept);
      } catch (e) {
        throw fromWasm(e);
      }
      try {
        if (opts.publicKey !== undefined) config.publicKey(keyBytes(opts.publicKey, 'options.publicKey'));
        for (const [id, key] of publicKeys) config.addPublicKey(id, keyBytes(key, `options.publicKeys[${JSON.stringify(id)}]`));
        for (const secret of secrets) config.addSecret(secret);
        if (opts.decryptionKey !== undefined) config.decryptionKey(secretBytes(opts.decryptionKey, 'options.decryptionKey'));
        if (appId !== undefined) config.appId(appId);
        if (mchId !== undefined) config.mchId(mchId);
        if (tolerance !== undefined) config.toleranceSecs(tolerance);
        if (maxAge !== undefined) config.maxAgeSecs(maxAge);
        if (lease !== undefined) config.leaseSecs(lease);
      } catch (e) {
        config.free();
        throw fromWasm(e);
      }
      try {
        // Consumes the configuration, whether it succeeds or not.
        this.#inner = new wasm.WasmNotificationVerifier(config);
        this.#isRsa = this.#inner.isRsa;
        this.#accepted = Object.freeze(this.#inner.accepted);
        this.#profile = this.#inner.profile;
        this.#replayWindow = this.#inner.replayWindowSecs;
        this.#leaseSecs = this.#inner.leaseSecs;
      } catch (e) {
        throw fromWasm(e);
      }
      // The node:crypto provider, called from inside wasm with the prepared check's length.
      this.#nodeCheck = (length) => this.#nodeVerify(length);
    }

    /** The profile (default `paysign`). */
    get profile() {
      return this.#profile;
    }

    /** The accepted sign types; a message cannot choose another. */
    get accepted() {
      return this.#accepted;
    }

    /** Where the RSA step of `verify` (sync) and `verifyAsync`/`verifyRequest` runs. */
    get provider() {
      return this.#isRsa ? { ...this.#provider } : { sync: 'wasm', async: 'wasm' };
    }

    /** How long a claim on a notification id lasts, in seconds (the lease). */
    get leaseSecs() {
      return this.#leaseSecs;
    }

    #live() {
      if (this.#inner === null) throw new TypeError('this NotificationVerifier was freed');
      if (poisoned !== null) throw poisoned;
    }

    /**
     * Verifies a raw notification body and claims its id; returns the typed notification
     * or throws PaysignError. Book it, then `complete(notification)`; if booking failed,
     * `release(notification)`. `duplicate: true` means: acknowledge again, do not book
     * again. NOTIFICATION_IN_PROGRESS: another request is booking it; ask for a retry.
     */
    verify(body, options) {
      this.#live();
      if (this.#replayStore !== null) {
        throw new TypeError('this NotificationVerifier has a replayStore, which may answer asynchronously: use verifyAsync() or verifyRequest()');
      }
      const bytes = bodyBytes(body, 'body');
      const call = verifyOptions(options, 'verify');
      return this.#run(bytes, call, this.#isRsa ? this.#provider.sync : 'wasm');
    }

    /**
     * `verify`, with the RSA step in the asynchronous provider (WebCrypto by default), and
     * the claim in `options.replayStore` when there is one.
     */
    async verifyAsync(body, options) {
      this.#live();
      const call = verifyOptions(options, 'verifyAsync');
      const notification = await this.#checkAsync(body, call);
      return this.#replayStore === null ? notification : this.#claim(notification, call.now);
    }

    /**
     * Verifies, claims, runs `handler(notification)` (awaited) unless the notification is
     * a duplicate, and completes the claim; a throwing handler releases it (the platform's
     * retry is handled) and its error is rethrown. Resolves to the notification: answer
     * `acknowledge(true)`. Rejects with a PaysignError (refused, or in progress) or the
     * handler's error: answer `acknowledge(false)`. A rejection with `booked: true` means
     * the handler succeeded but the store did not record it: answer `acknowledge(true)`.
     */
    async handle(body, options, handler) {
      this.#live();
      if (typeof handler !== 'function') {
        throw new TypeError('handle(body, options, handler): handler must be a function (notification) => void | Promise<void> that books the notification');
      }
      const notification = await this.verifyAsync(body, options);
      if (notification.duplicate) return notification;
      try {
        await handler(notification);
      } catch (e) {
        // A release that fails leaves the claim to its lease: the retry after it is handled.
        await this.releaseAsync(notification).catch(() => {});
        throw e;
      }
      try {
        await this.completeAsync(notification, options?.now === undefined ? undefined : { now: options.now });
      } catch (e) {
        e.booked = true;
        e.notification = notification;
        throw e;
      }
      return notification;
    }

    // Every check of verifyAsync but the replay store's.
    async #checkAsync(body, call) {
      const provider = this.#isRsa ? this.#provider.async : 'wasm';
      if (provider !== 'webcrypto') return this.#run(bodyBytes(body, 'body'), call, provider);
      // Our own copy: the caller's buffer may change while WebCrypto works.
      const bytes = bodyBytes(body, 'body').slice();
      // First pass: every check up to the RSA operation, which comes out in `prepared`
      // (nothing before it has any effect: the replay store is untouched).
      let prepared = null;
      writeList(call.headers);
      try {
        const done = this.#inner.verify(bytes, call.contentType, flatLensCount, flatBytesCount, call.expected, call.now, (length) => {
          prepared = output(length).slice(0, length);
          throw PREPARED;
        }, this.#replayStore === null);
        return this.#received(done); // no RSA step (e.g. an encrypted WeChat Pay v2 refund)
      } catch (e) {
        if (e !== PREPARED) throw fromWasm(e);
      }
      const valid = await this.#webVerify(prepared);
      this.#live();
      // Second pass: the same checks with the verdict, then everything after the signature.
      writeList(call.headers);
      try {
        const json = this.#inner.verify(
          bytes,
          call.contentType,
          flatLensCount,
          flatBytesCount,
          call.expected,
          call.now,
          (length) => valid === true && sameBytes(output(length), length, prepared),
          this.#replayStore === null,
        );
        return this.#received(json);
      } catch (e) {
        throw fromWasm(e);
      }
    }

    /**
     * Verifies a fetch `Request` (Workers, Deno, Bun, Next.js route handlers): its raw body
     * bytes and its headers. Options: `expectedAmount`, `now`.
     */
    async verifyRequest(request, options) {
      this.#live();
      if (request === null || typeof request !== 'object' || typeof request.arrayBuffer !== 'function' || request.headers === null || typeof request.headers !== 'object') {
        throw new TypeError('verifyRequest needs a fetch Request (arrayBuffer() and headers); on node:http use verify(rawBody, { headers: req.headers })');
      }
      const opts = optionsObject(options, 'verifyRequest');
      checkKeys(opts, ['expectedAmount', 'now'], 'verifyRequest');
      const body = new Uint8Array(await request.arrayBuffer());
      return this.verifyAsync(body, { ...opts, headers: request.headers });
    }

    /**
     * Verifies a synchronous gateway response, which must echo the request's nonce:
     * `{ code, message, success, params }`.
     */
    verifyResponse(body, options) {
      this.#live();
      const bytes = bodyBytes(body, 'body');
      if (options === undefined) throw new TypeError('verifyResponse needs options: { requestNonce } (the nonce of the request it answers)');
      const opts = optionsObject(options, 'verifyResponse');
      checkKeys(opts, ['requestNonce', 'contentType', 'headers', 'now'], 'verifyResponse');
      const nonce = optionalString(opts, 'requestNonce');
      if (nonce === undefined) throw new TypeError('options.requestNonce is required: a response must echo the nonce of its request');
      const contentType = optionalString(opts, 'contentType');
      const headers = headerList(opts.headers, 'options.headers');
      const now = nowOf(opts.now, 'options.now');
      writeList(headers);
      try {
        return JSON.parse(this.#inner.verifyResponse(bytes, contentType, flatLensCount, flatBytesCount, nonce, now));
      } catch (e) {
        throw fromWasm(e);
      }
    }

    /**
     * Checks only the signature of a signed body — for header-signed profiles with the
     * signature time in the window — and interprets nothing: WeChat Pay v3 API responses,
     * or a message whose fields you read yourself. `{ valid: true, signType }` or throws.
     */
    verifySignature(body, options) {
      this.#live();
      const bytes = bodyBytes(body, 'body');
      const opts = optionsObject(options, 'verifySignature');
      checkKeys(opts, ['contentType', 'headers', 'now'], 'verifySignature');
      const contentType = optionalString(opts, 'contentType');
      const headers = headerList(opts.headers, 'options.headers');
      const now = nowOf(opts.now, 'options.now');
      writeList(headers);
      try {
        return { valid: true, signType: this.#inner.verifySignature(bytes, contentType, flatLensCount, flatBytesCount, now) };
      } catch (e) {
        throw fromWasm(e);
      }
    }

    /**
     * Records a verified notification as booked: later copies are duplicates until they
     * could no longer pass the time check. Options: `now`. A duplicate needs no call.
     */
    complete(notification, options) {
      this.#live();
      if (this.#replayStore !== null) {
        throw new TypeError('this NotificationVerifier has a replayStore, which may answer asynchronously: use completeAsync()');
      }
      const token = this.#claimed(notification, 'complete');
      const now = completeOptions(options, 'complete');
      if (token === null) return;
      try {
        this.#inner.complete(notification.notifyId, now);
      } catch (e) {
        throw fromWasm(e);
      }
      this.#claims.delete(notification);
    }

    /** `complete`, in `options.replayStore` when there is one (awaited). */
    async completeAsync(notification, options) {
      this.#live();
      if (this.#replayStore === null) return this.complete(notification, options);
      const token = this.#claimed(notification, 'completeAsync');
      const now = Math.floor(completeOptions(options, 'completeAsync'));
      if (token === null) return;
      try {
        await this.#replayStore.complete(notification.notifyId, now, now + this.#replayWindow);
      } catch (e) {
        throw storeFailure(e);
      }
      this.#claims.delete(notification);
    }

    /**
     * Gives up the claim on a notification whose booking failed, so the platform's retry
     * is handled. A duplicate needs no call.
     */
    release(notification) {
      this.#live();
      if (this.#replayStore !== null) {
        throw new TypeError('this NotificationVerifier has a replayStore, which may answer asynchronously: use releaseAsync()');
      }
      const token = this.#claimed(notification, 'release');
      if (token === null) return;
      try {
        this.#inner.release(notification.notifyId, token);
      } catch (e) {
        throw fromWasm(e);
      }
      this.#claims.delete(notification);
    }

    /** `release`, in `options.replayStore` when there is one (awaited). */
    async releaseAsync(notification) {
      this.#live();
      if (this.#replayStore === null) return this.release(notification);
      const token = this.#claimed(notification, 'releaseAsync');
      if (token === null) return;
      try {
        await this.#replayStore.release(notification.notifyId, token);
      } catch (e) {
        throw storeFailure(e);
      }
      this.#claims.delete(notification);
    }

    /**
     * Throws AMOUNT_MISMATCH unless a verified notification is for `expectedAmount` (fen):
     * for an amount known only after verification (a WeChat Pay v3 order number is inside
     * the resource). Inside `handle`'s handler the error releases the claim; after
     * `verify`, call `release(notification)`.
     */
    checkAmount(notification, expectedAmount) {
      this.#live();
      notificationArgument(notification, 'checkAmount');
      const expected = fenOf(expectedAmount, 'expectedAmount');
      try {
        wasm.WasmNotificationVerifier.checkAmount(notification.totalAmount, expected);
      } catch (e) {
        throw fromWasm(e);
      }
    }

    // The claim token a notification of this verifier holds, or null for a duplicate.
    #claimed(notification, what) {
      notificationArgument(notification, what);
      if (notification.duplicate === true) return null;
      const token = this.#claims.get(notification);
      if (token === undefined) {
        throw new TypeError(`${what}(notification): this notification holds no claim of this verifier (it was completed or released already, or another verifier returned it)`);
      }
      return token;
    }

    /**
     * The response the platform expects: `{ status, contentType, body }`. `ok`: booked (or
     * a duplicate); `false` asks the platform to retry later.
     */
    acknowledge(ok, reason) {
      this.#live();
      if (typeof ok !== 'boolean') {
        throw new TypeError('acknowledge(ok, reason?): ok must be true (booked, or a duplicate) or false (ask for a retry)');
      }
      if (reason !== undefined && typeof reason !== 'string') throw new TypeError('acknowledge: reason must be a string');
      try {
        return JSON.parse(this.#inner.acknowledge(ok, reason, undefined));
      } catch (e) {
        throw fromWasm(e);
      }
    }

    /**
     * The answer to a notification that `error` stopped (what `handle` or `verify` threw):
     * a refusal (`400`, the failure body) for a forged, expired, misaddressed or malformed
     * one; a retry for NOTIFICATION_IN_PROGRESS, REPLAY_STORE_UNAVAILABLE and a handler's
     * own error; success for a booking the store did not record (`booked: true`).
     */
    acknowledgeError(error) {
      this.#live();
      if (error instanceof PaysignError && error.booked === true) return this.acknowledge(true);
      const code = error instanceof PaysignError ? error.code : undefined;
      try {
        return JSON.parse(this.#inner.acknowledge(false, 'FAIL', code));
      } catch (e) {
        throw fromWasm(e);
      }
    }

    /** `acknowledgeError` as a fetch `Response`. */
    acknowledgeErrorResponse(error) {
      return responseOf(this.acknowledgeError(error), 'acknowledgeErrorResponse');
    }

    /** `acknowledge` as a fetch `Response`, to return from a route handler. */
    acknowledgeResponse(ok, reason) {
      return responseOf(this.acknowledge(ok, reason), 'acknowledgeResponse');
    }

    /** Frees the keys and the replay store now; otherwise garbage collection does it. */
    free() {
      if (this.#inner !== null) {
        this.#inner.free();
        this.#inner = null;
        this.#nodeKeys.clear();
        this.#webKeys.clear();
      }
    }

    // The claim of a verified notification in the caller's store, for the lease; the
    // store keeps a completed id as long as a copy could pass the time check.
    async #claim(notification, now) {
      const seconds = Math.floor(now);
      let answer;
      try {
        answer = await this.#replayStore.claim(notification.notifyId, seconds, seconds + this.#leaseSecs);
      } catch (e) {
        throw storeFailure(e);
      }
      const claim = claimOf(answer);
      if (claim.status === 'in-progress') throw wasm.WasmNotificationVerifier.replayError(notification.notifyId, undefined);
      notification.duplicate = claim.status === 'done';
      if (claim.status === 'claimed') this.#claims.set(notification, claim.token);
      return notification;
    }

    // A notification as wasm returned it: its claim token goes into #claims.
    #received(json) {
      const notification = JSON.parse(json);
      if (notification.claim !== null) this.#claims.set(notification, notification.claim);
      delete notification.claim;
      return notification;
    }

    #run(bytes, call, provider) {
      if (provider === 'webcrypto') throw webcryptoSync();
      writeList(call.headers);
      try {
        const host = provider === 'node' ? this.#nodeCheck : undefined;
        return this.#received(this.#inner.verify(bytes, call.contentType, flatLensCount, flatBytesCount, call.expected, call.now, host, this.#replayStore === null));
      } catch (e) {
        throw fromWasm(e);
      }
    }

    // Called from inside wasm with the prepared check in the output buffer.
    #nodeVerify(length) {
      const index = preparedIndex(output(length));
      let key = this.#nodeKeys.get(index);
      if (key === undefined) {
        // A wasm call may grow its memory: the output view is taken again below.
        const der = this.#inner.keyDer(index);
        if (der === undefined) throw new Error(`paysign internal error: no key ${index}`);
        key = nodeCrypto.createPublicKey({ key: HasBuffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'spki' });
        this.#nodeKeys.set(index, key);
      }
      const p = preparedParts(output(length), length);
      return nodeCrypto.verify(hashOf(p.signType).node, p.signed, key, p.signature);
    }

    async #webVerify(prepared) {
      const p = preparedParts(prepared, prepared.length);
      const id = `${p.index}:${p.signType}`;
      let key = this.#webKeys.get(id);
      if (key === undefined) {
        const der = this.#inner.keyDer(p.index);
        key = subtle().importKey('spki', der, { name: RSA_ALGORITHM, hash: hashOf(p.signType).web }, false, ['verify']);
        key.catch(() => this.#webKeys.delete(id));
        this.#webKeys.set(id, key);
      }
      return subtle().verify(RSA_ALGORITHM, await key, p.signature, p.signed);
    }
  }

  // ---- gateway requests ---------------------------------------------------------------------

  function requestOptions(options, what) {
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

  // The validated, enveloped, unsigned parameters: [[name, value], …].
  function unsignedRequest(method, fields, options, what) {
    ensureReady();
    if (typeof method !== 'string') throw new TypeError(`${what}: method must be a string such as 'order.create' (got ${typeof method})`);
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
      throw new TypeError(`${what}: the ${method} fields must be an object, e.g. { outTradeNo, totalAmount }`);
    }
    const opts = requestOptions(options, what);
    let flat;
    try {
      flat = wasm.prepareRequest(method, fields, opts.appId, opts.timestamp, opts.nonce);
    } catch (e) {
      throw fromWasm(e);
    }
    const pairs = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
    return { signer: opts.signer, pairs };
  }

  function signedRequest(method, signed) {
    flatten(signed);
    let rendered;
    try {
      rendered = wasm.renderRequest(method, flatLensCount, flatBytesCount);
    } catch (e) {
      throw fromWasm(e);
    }
    const [path, form, query, json] = rendered;
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

  /** Yuan text (`'12.34'`, at most two decimals) to integer fen, exactly (no floating point). */
  function parseYuan(text) {
    ensureReady();
    if (typeof text !== 'string') {
      throw new TypeError(`parseYuan takes yuan as text, e.g. '12.34' (got ${text === null ? 'null' : typeof text}): binary floating point cannot hold most yuan amounts exactly`);
    }
    try {
      return wasm.parseYuan(text);
    } catch (e) {
      throw fromWasm(e);
    }
  }

  /** Integer fen to yuan text with two decimals (`1234` → `'12.34'`). */
  function formatYuan(fen) {
    ensureReady();
    fenOf(fen, 'formatYuan(fen): fen');
    try {
      return wasm.formatYuan(fen);
    } catch (e) {
      throw fromWasm(e);
    }
  }

  // ---- reconciliation and diagnosis -----------------------------------------------------------

  const RECONCILE_OPTIONS = ['billDate', 'kind', 'format', 'columns', 'cutoffToleranceSecs', 'stopOnError', 'expectedSha256', 'report', 'nextStatement'];
  const COLUMN_OPTIONS = ['orderNo', 'amount', 'amountUnit', 'time', 'status', 'statusMap', 'tradeNo', 'tradeType'];

  /**
   * Reconciles the gateway's statement (docs/protocol.md §10) against the merchant's
   * records: `{ summary, report, differences }`.
   */
  function reconcile(statement, records, options) {
    const module = tools();
    const statementBytes = bodyBytes(statement, 'statement');
    const recordBytes = bodyBytes(records, 'records');
    if (options === undefined) throw new TypeError("reconcile needs options: { billDate: 'YYYY-MM-DD' } at least");
    const opts = optionsObject(options, 'reconcile');
    checkKeys(opts, RECONCILE_OPTIONS, 'reconcile');
    const { nextStatement, columns, ...rest } = opts;
    const next = nextStatement === undefined ? undefined : bodyBytes(nextStatement, 'options.nextStatement');
    let mapped;
    if (columns !== undefined) {
      const c = optionsObject(columns, 'reconcile columns');
      checkKeys(c, COLUMN_OPTIONS, 'options.columns');
      const { statusMap, ...names } = c;
      mapped = { ...names };
      if (statusMap !== undefined) {
        mapped.statusMap = entriesOf(statusMap, 'options.columns.statusMap').map(([local, gateway]) => {
          if (typeof gateway !== 'string') throw new TypeError(`options.columns.statusMap[${JSON.stringify(local)}] must be a gateway status string`);
          return [local, gateway];
        });
      }
    }
    try {
      return JSON.parse(module.reconcile(statementBytes, recordBytes, next, { ...rest, columns: mapped }));
    } catch (e) {
      throw fromWasm(e, module);
    }
  }

  const EXPLAIN_OPTIONS = ['profile', 'message', 'signTypes', 'publicKey', 'publicKeys', 'secret', 'secrets', 'decryptionKey', 'contentType', 'headers', 'appId', 'mchId', 'toleranceSecs', 'maxAgeSecs', 'expectedAmount', 'now'];

  /**
   * Why does (or doesn't) a message verify? Checks it as a NotificationVerifier with the
   * same options would (`verified` is that verdict), then tries the common integration
   * mistakes for real: `{ verified, signType, canonical, matchingKey, findings: [{ code, message }] }`.
   */
  function explain(body, options) {
    const module = tools();
    const bytes = bodyBytes(body, 'body');
    if (options === undefined) throw new TypeError('explain needs options: { publicKey } or { secret } (what you verify with), and profile, signTypes as you configured them');
    const opts = optionsObject(options, 'explain');
    checkKeys(opts, EXPLAIN_OPTIONS, 'explain');
    const labels = [];
    const keys = [];
    if (opts.publicKey !== undefined) {
      labels.push('publicKey');
      keys.push(keyBytes(opts.publicKey, 'options.publicKey'));
    }
    if (opts.publicKeys !== undefined) {
      for (const [label, key] of entriesOf(opts.publicKeys, 'options.publicKeys')) {
        labels.push(label);
        keys.push(keyBytes(key, `options.publicKeys[${JSON.stringify(label)}]`));
      }
    }
    const secrets = [];
    if (opts.secret !== undefined) secrets.push(secretBytes(opts.secret, 'options.secret'));
    if (opts.secrets !== undefined) {
      if (!Array.isArray(opts.secrets)) throw new TypeError('options.secrets must be an array');
      opts.secrets.forEach((s, i) => secrets.push(secretBytes(s, `options.secrets[${i}]`)));
    }
    const settings = {
      profile: optionalString(opts, 'profile'),
      message: optionalString(opts, 'message'),
      signTypes: opts.signTypes === undefined ? undefined : signTypeList(opts.signTypes, 'options.signTypes'),
      contentType: optionalString(opts, 'contentType'),
      keyLabels: labels,
      // The verifier's options, as a NotificationVerifier and its verify() take them:
      // explain's verdict is that verifier's.
      unnamedFirstKey: opts.publicKey !== undefined,
      appId: opts.appId,
      mchId: opts.mchId,
      toleranceSecs: opts.toleranceSecs,
      maxAgeSecs: opts.maxAgeSecs,
      expectedAmount: opts.expectedAmount,
      now: nowOf(opts.now, 'options.now'),
    };
    const decryptionKey = opts.decryptionKey === undefined ? undefined : secretBytes(opts.decryptionKey, 'options.decryptionKey');
    const headers = headerList(opts.headers, 'options.headers');
    try {
      return JSON.parse(module.explain(bytes, settings, keys, secrets, decryptionKey, headers));
    } catch (e) {
      throw fromWasm(e, module);
    }
  }

  // ---- test notifications (tools module) ------------------------------------------------

  const TEST_NOTIFICATION_OPTIONS = [
    'profile', 'signType', 'privateKey', 'secret', 'apiV3Key', 'status', 'amount', 'appId', 'mchId',
    'outTradeNo', 'tradeNo', 'notifyId', 'billNo', 'time', 'nonce', 'keyId', 'format',
  ];

  // A signed notification exactly as the platform sends it (the core's test-notification
  // builders, as `paysign payload notification --profile P` prints them): for testing a
  // merchant endpoint offline. The platform's key or secret signs it.
  function testNotification(options) {
    const module = tools();
    if (options === undefined) throw new TypeError('testNotification needs options: { profile, privateKey or secret, amount, appId, outTradeNo, tradeNo, time }');
    const opts = optionsObject(options, 'testNotification');
    checkKeys(opts, TEST_NOTIFICATION_OPTIONS, 'testNotification');
    const key = opts.privateKey === undefined ? undefined : keyBytes(opts.privateKey, 'options.privateKey');
    const secret = opts.secret === undefined ? undefined : secretBytes(opts.secret, 'options.secret');
    const apiV3Key = opts.apiV3Key === undefined ? undefined : secretBytes(opts.apiV3Key, 'options.apiV3Key');
    const settings = {};
    for (const name of TEST_NOTIFICATION_OPTIONS) {
      if (name === 'privateKey' || name === 'secret' || name === 'apiV3Key' || opts[name] === undefined) continue;
      settings[name] = opts[name];
    }
    try {
      const message = JSON.parse(module.testNotification(settings, key, secret, apiV3Key));
      return {
        headers: Object.fromEntries([['Content-Type', message.contentType], ...message.headers]),
        contentType: message.contentType,
        body: message.body,
        notifyId: message.notifyId,
      };
    } catch (e) {
      throw fromWasm(e, module);
    }
  }

  // ---- one-off functions ----------------------------------------------------------------

  function canonicalize(params, options) {
    ensureReady();
    const opts = optionsObject(options, 'canonicalize');
    const profile = optionalString(opts, 'profile') ?? 'paysign';
    const message = optionalString(opts, 'message') ?? 'request';
    flatten(params);
    try {
      return wasm.canonicalize(profile, message, flatLensCount, flatBytesCount);
    } catch (e) {
      throw fromWasm(e);
    }
  }

  // The one-off functions parse the key on every call; a Signer/Verifier parses it once.
  function oneOff(Class, options, use) {
    const instance = new Class(options);
    try {
      return use(instance);
    } finally {
      instance.free();
    }
  }

  async function oneOffAsync(Class, options, use) {
    const instance = new Class(options);
    try {
      return await use(instance);
    } finally {
      instance.free();
    }
  }

  function sign(params, options) {
    return oneOff(Signer, options, (s) => s.sign(params));
  }

  function signAsync(params, options) {
    return oneOffAsync(Signer, options, (s) => s.signAsync(params));
  }

  function verify(params, options) {
    return oneOff(Verifier, options, (v) => v.verify(params));
  }

  function verifyAsync(params, options) {
    return oneOffAsync(Verifier, options, (v) => v.verifyAsync(params));
  }

  // ---- key pairs ------------------------------------------------------------------------

  function keyPairOptions(options) {
    const opts = optionsObject(options, 'generateKeyPair');
    const bits = opts.bits === undefined ? 2048 : opts.bits;
    if (bits !== 2048 && bits !== 3072 && bits !== 4096) {
      throw new TypeError(`options.bits must be 2048, 3072 or 4096 (got ${String(bits)})`);
    }
    return { bits, provider: providerOf(opts) };
  }

  // A host generator's key pair (PKCS#8 and SPKI DER, as the host exported them) in the
  // four forms, PEM exactly as the core writes it (64-column base64, LF line ends), so a
  // pair looks the same whichever generator made it. No wasm: re-encoding in the core
  // would put PKCS#8 encoders in the runtime module for this one call.
  function keyPairFromDer(pkcs8Der, spkiDer) {
    const privateKeyBase64 = toBase64(pkcs8Der);
    const publicKeyBase64 = toBase64(spkiDer);
    pkcs8Der.fill(0);
    return {
      privateKeyPem: pem('PRIVATE KEY', privateKeyBase64),
      publicKeyPem: pem('PUBLIC KEY', publicKeyBase64),
      privateKeyBase64,
      publicKeyBase64,
    };
  }

  function pem(label, base64) {
    let body = '';
    for (let i = 0; i < base64.length; i += 64) body += `${base64.slice(i, i + 64)}\n`;
    return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
  }

  function nodeKeyPair({ privateKey, publicKey }) {
    return keyPairFromDer(
      new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
      new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    );
  }

  /** A new RSA key pair (PKCS#8 / SPKI, as PEM and bare base64). */
  function generateKeyPair(options) {
    ensureReady();
    const { bits, provider } = keyPairOptions(options);
    if (provider.sync === 'webcrypto') throw new Error("provider 'webcrypto' is asynchronous: call generateKeyPairAsync()");
    if (provider.sync === 'node') return nodeKeyPair(nodeCrypto.generateKeyPairSync('rsa', { modulusLength: bits }));
    const module = tools();
    try {
      return module.generateKeyPair(bits);
    } catch (e) {
      throw fromWasm(e, module);
    }
  }

  /** `generateKeyPair`, generating off the main thread where the provider can. */
  async function generateKeyPairAsync(options) {
    ensureReady();
    const { bits, provider } = keyPairOptions(options);
    if (provider.async === 'webcrypto') {
      const pair = await subtle().generateKey(
        { name: RSA_ALGORITHM, modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
        true,
        ['sign', 'verify'],
      );
      return keyPairFromDer(
        new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey)),
        new Uint8Array(await subtle().exportKey('spki', pair.publicKey)),
      );
    }
    if (provider.async === 'node') {
      const pair = await new Promise((resolve, reject) => {
        nodeCrypto.generateKeyPair('rsa', { modulusLength: bits }, (err, publicKey, privateKey) => (err ? reject(err) : resolve({ publicKey, privateKey })));
      });
      return nodeKeyPair(pair);
    }
    return generateKeyPair({ bits, provider: 'wasm' });
  }

  // Explicit resource management for the notification verifier too.
  if (typeof Symbol.dispose === 'symbol') {
    NotificationVerifier.prototype[Symbol.dispose] = function dispose() {
      this.free();
    };
  }

  return {
    PaysignError,
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
  };
}
