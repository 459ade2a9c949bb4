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
 * @param {object} wasm        the wasm-bindgen module (node/ or web/ build)
 * @param {object} platform
 * @param {object|null} platform.nodeCrypto  `node:crypto`, or null outside Node
 * @param {() => boolean} platform.isReady     whether the wasm module is instantiated
 */
function createApi(wasm, platform) {
  const nodeCrypto = platform.nodeCrypto;
  const HasBuffer = typeof Buffer === 'function' ? Buffer : null;
  const encoder = new TextEncoder();

  let poisoned = null;

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

  // A trap from wasm means a Rust panic: a bug. The instance may be inconsistent after it,
  // so the module refuses further work instead of returning wrong answers.
  function fromWasm(e) {
    if (e instanceof PaysignError) return e;
    if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) {
      let detail = null;
      try {
        detail = wasm.takePanicMessage();
      } catch (_) {
        // The instance is unusable; the trap itself is the report.
      }
      poisoned = new Error(
        `paysign internal error (a bug, please report it): ${detail || e.message}; reload the module`,
        { cause: e },
      );
      return poisoned;
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
    if (maxBytes > bytesCapacity) {
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
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${what} options must be an object`);
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
    if (typeof value === 'string') return encoder.encode(value);
    if (value instanceof Uint8Array) return name === 'secret' ? value : derAsBase64(value);
    throw new TypeError(`options.${name} must be a string (PEM or base64) or a Uint8Array (got ${typeof value})`);
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
    #nodeKey = null;
    #webKey = null;

    /** @param {object} options */
    constructor(options) {
      ensureReady();
      if (options === undefined) {
        throw new TypeError('Signer needs options: { privateKey } for RSA/RSA2 or { secret, signType } for MD5/HMAC-SHA256');
      }
      const opts = optionsObject(options, 'Signer');
      const profile = optionalString(opts, 'profile') ?? 'paysign';
      const message = optionalString(opts, 'message') ?? 'request';
      const signType = optionalString(opts, 'signType');
      const { key, secret } = credentials(opts, 'privateKey');
      this.#provider = providerOf(opts);
      try {
        this.#inner = new wasm.WasmSigner(profile, message, signType, key, secret);
        this.#isRsa = this.#inner.isRsa;
        this.#signType = this.#inner.signType;
        this.#field = this.#inner.signatureField;
        this.#typeParam = this.#inner.signTypeParam ?? null;
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
      if (this.#inner === null) throw new Error('this Signer was freed');
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
      this.#live();
      flatten(params);
      const provider = this.#isRsa ? this.#provider.sync : 'wasm';
      try {
        if (provider === 'wasm') return this.#inner.sign(flatLensCount, flatBytesCount);
        if (provider === 'webcrypto') throw webcryptoSync();
        return this.#nodeSign(this.#inner.canonicalBytes(flatLensCount, flatBytesCount));
      } catch (e) {
        throw fromWasm(e);
      }
    }

    /** A copy of `params` (same kind) with `sign_type` (unless implied) and `sign` added. */
    signParams(params) {
      this.#live();
      flatten(params);
      const provider = this.#isRsa ? this.#provider.sync : 'wasm';
      let signature;
      try {
        if (provider === 'wasm') signature = this.#inner.signParams(flatLensCount, flatBytesCount);
        else if (provider === 'webcrypto') throw webcryptoSync();
        else signature = this.#nodeSign(this.#inner.canonicalBytesForSignParams(flatLensCount, flatBytesCount));
      } catch (e) {
        throw fromWasm(e);
      }
      return this.#signed(params, signature);
    }

    /** `sign`, with the RSA step in the asynchronous provider (WebCrypto by default). */
    async signAsync(params) {
      this.#live();
      flatten(params);
      const provider = this.#isRsa ? this.#provider.async : 'wasm';
      if (provider !== 'webcrypto') return this.#syncWith(provider, params, false);
      let canonical;
      try {
        canonical = this.#inner.canonicalBytes(flatLensCount, flatBytesCount);
      } catch (e) {
        throw fromWasm(e);
      }
      return this.#webSign(canonical);
    }

    /** `signParams`, with the RSA step in the asynchronous provider. */
    async signParamsAsync(params) {
      this.#live();
      flatten(params);
      const provider = this.#isRsa ? this.#provider.async : 'wasm';
      if (provider !== 'webcrypto') return this.#syncWith(provider, params, true);
      let canonical;
      try {
        canonical = this.#inner.canonicalBytesForSignParams(flatLensCount, flatBytesCount);
      } catch (e) {
        throw fromWasm(e);
      }
      return this.#signed(params, await this.#webSign(canonical));
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

    #syncWith(provider, params, withFieldsToo) {
      // flatten() already ran for this call.
      let signature;
      try {
        if (provider === 'wasm') {
          signature = withFieldsToo
            ? this.#inner.signParams(flatLensCount, flatBytesCount)
            : this.#inner.sign(flatLensCount, flatBytesCount);
        } else {
          signature = this.#nodeSign(
            withFieldsToo
              ? this.#inner.canonicalBytesForSignParams(flatLensCount, flatBytesCount)
              : this.#inner.canonicalBytes(flatLensCount, flatBytesCount),
          );
        }
      } catch (e) {
        throw fromWasm(e);
      }
      return withFieldsToo ? this.#signed(params, signature) : signature;
    }

    #signed(params, signature) {
      const fields = this.#typeParam === null ? [] : [[this.#typeParam[0], this.#typeParam[1]]];
      fields.push([this.#field, signature]);
      return withFields(params, fields);
    }

    #nodeSign(canonical) {
      if (this.#nodeKey === null) {
        const der = this.#inner.keyDer();
        this.#nodeKey = nodeCrypto.createPrivateKey({ key: HasBuffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'pkcs8' });
        der.fill(0);
      }
      return nodeCrypto.sign(hashOf(this.#signType).node, canonical, this.#nodeKey).toString('base64');
    }

    async #webSign(canonical) {
      if (this.#webKey === null) {
        const der = this.#inner.keyDer();
        this.#webKey = subtle()
          .importKey('pkcs8', der, { name: RSA_ALGORITHM, hash: hashOf(this.#signType).web }, false, ['sign'])
          .finally(() => der.fill(0));
      }
      const key = await this.#webKey;
      const signature = await subtle().sign(RSA_ALGORITHM, key, canonical);
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
        throw new TypeError('Verifier needs options: { publicKey } for RSA/RSA2 or { secret, signType } for MD5/HMAC-SHA256');
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
      if (this.#inner === null) throw new Error('this Verifier was freed');
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

  function fromPkcs8(der) {
    try {
      return wasm.keyPairFromPrivateKey(derAsBase64(der));
    } catch (e) {
      throw fromWasm(e);
    } finally {
      der.fill(0);
    }
  }

  /** A new RSA key pair (PKCS#8 / SPKI, as PEM and bare base64). */
  function generateKeyPair(options) {
    ensureReady();
    const { bits, provider } = keyPairOptions(options);
    if (provider.sync === 'webcrypto') throw new Error("provider 'webcrypto' is asynchronous: call generateKeyPairAsync()");
    if (provider.sync === 'node') {
      const { privateKey } = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: bits });
      return fromPkcs8(new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })));
    }
    try {
      return wasm.generateKeyPair(bits);
    } catch (e) {
      throw fromWasm(e);
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
      return fromPkcs8(new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey)));
    }
    if (provider.async === 'node') {
      const privateKey = await new Promise((resolve, reject) => {
        nodeCrypto.generateKeyPair('rsa', { modulusLength: bits }, (err, _pub, key) => (err ? reject(err) : resolve(key)));
      });
      return fromPkcs8(new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })));
    }
    return generateKeyPair({ bits, provider: 'wasm' });
  }

  return {
    PaysignError,
    Signer,
    Verifier,
    canonicalize,
    sign,
    signAsync,
    verify,
    verifyAsync,
    generateKeyPair,
    generateKeyPairAsync,
  };
}
