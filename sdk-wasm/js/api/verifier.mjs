// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): Verifier,
// a thin shell around the core's verifier of `k=v` messages (WasmVerifier,
// sdk-wasm/src/verifier.rs).
//
// The key is parsed once, in wasm. With the `wasm` provider the core does everything; with
// `node` or `webcrypto` it prepares the RSA check (prepared.mjs) and only the RSA operation
// runs in the host. Imports keys.mjs, options.mjs, prepared.mjs, providers.mjs,
// wasm-modules.mjs, webcrypto.mjs.
import { credentials } from './keys.mjs';
import { optionalString, optionsObject } from './options.mjs';
import { checkSignType, verifierCheck } from './prepared.mjs';
import { providerChoice, rsaStep, webcryptoIsAsync } from './providers.mjs';
import { constructIn } from './wasm-modules.mjs';
import { webcrypto } from './webcrypto.mjs';

/** The sign types a Verifier accepts, from `signType` or `signTypes` (`[]`: the profile's default). */
export function acceptedOf(opts) {
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

/**
 * The Verifier class over the modules of one entry point (createApi's context: `runtime`,
 * `node`, the node:crypto provider or null).
 */
export function verifierClass({ runtime, sm, node }) {
  /** Parses a key once and verifies many messages. */
  class Verifier {
    #wasm; // the module this Verifier works with
    #inner;
    #profile;
    #message;
    #provider; // where the RSA step runs (providers.mjs, rsaStep)
    #accepted;
    #signatureLength;
    #nodeKey = null;
    #signatureView = null;
    #webKeys = new Map();

    /** @param {object} options */
    constructor(options) {
      runtime.bindings();
      if (options === undefined) {
        throw new TypeError('Verifier needs options: { publicKey } for RSA/RSA2 or { secret } for MD5/HMAC-SHA256/SHA256 (signType defaults to the profile\'s default for the credential)');
      }
      const opts = optionsObject(options, 'Verifier');
      const profile = optionalString(opts, 'profile') ?? 'paysign';
      const message = optionalString(opts, 'message') ?? 'notification';
      const accepted = acceptedOf(opts);
      const { key, secret } = credentials(opts, 'publicKey');
      const choice = providerChoice(opts, node);
      const built = constructIn(runtime, sm, (wasm) => new wasm.WasmVerifier(profile, message, accepted, key, secret));
      this.#wasm = built.module;
      this.#inner = built.value;
      this.#wasm.call(() => {
        this.#provider = rsaStep(choice, this.#inner.isRsa);
        this.#accepted = Object.freeze(this.#inner.accepted);
        this.#signatureLength = this.#inner.signatureLength;
      });
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
      return { ...this.#provider };
    }

    #live() {
      if (this.#inner === null) throw new TypeError('this Verifier was freed');
      this.#wasm.alive();
    }

    /** The canonical string a message's signature must cover. */
    canonicalize(params) {
      this.#live();
      const input = this.#wasm.buffers().params(params);
      return this.#wasm.call(() => this.#inner.canonical(input.lens, input.bytes));
    }

    /**
     * Checks the signature of `params` (which include `sign`). Returns
     * `{ valid: true, signType }` or throws PaysignError — never returns `valid: false`.
     */
    verify(params) {
      this.#live();
      const input = this.#wasm.buffers().params(params);
      const provider = this.#provider.sync;
      if (provider === 'webcrypto') throw webcryptoIsAsync();
      return this.#verifyNow(provider, input);
    }

    /** `verify`, with the RSA step in the asynchronous provider (WebCrypto by default). */
    async verifyAsync(params) {
      this.#live();
      const input = this.#wasm.buffers().params(params);
      const provider = this.#provider.async;
      if (provider !== 'webcrypto') return this.#verifyNow(provider, input);
      // Copied: wasm memory may change while WebCrypto works.
      const prepared = this.#wasm.call(() => {
        const length = this.#inner.prepare(input.lens, input.bytes);
        return this.#wasm.buffers().output(length).slice(0, length);
      });
      const check = verifierCheck(prepared, prepared.length, this.#signatureLength);
      const key = await this.#webKey(check.signType);
      const ok = await webcrypto.verify(key, check.signature, check.signed);
      if (!ok) throw this.#wasm.bindings().signatureMismatch();
      return { valid: true, signType: check.signType };
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

    // The parameters `input` wrote, verified in wasm or with node:crypto.
    #verifyNow(provider, input) {
      return this.#wasm.call(() => {
        if (provider === 'wasm') return { valid: true, signType: this.#inner.verify(input.lens, input.bytes) };
        const length = this.#inner.prepare(input.lens, input.bytes);
        return this.#nodeVerify(this.#wasm.buffers().output(length), length);
      });
    }

    // `prepared[0, length)`: the check as prepared.mjs lays it out, in wasm's output buffer.
    #nodeVerify(prepared, length) {
      if (this.#nodeKey === null) this.#nodeKey = node.publicKey(this.#inner.keyDer());
      const signType = checkSignType(prepared);
      const end = 1 + this.#signatureLength;
      // The signature always sits at [1, end) of the output buffer: keep its view while the buffer stays.
      if (this.#signatureView === null || this.#signatureView.buffer !== prepared.buffer || this.#signatureView.byteOffset !== prepared.byteOffset + 1) {
        this.#signatureView = prepared.subarray(1, end);
      }
      const ok = node.verify(this.#nodeKey, signType, prepared.subarray(end, length), this.#signatureView);
      if (!ok) throw this.#wasm.bindings().signatureMismatch();
      return { valid: true, signType };
    }

    #webKey(signType) {
      let key = this.#webKeys.get(signType);
      if (key === undefined) {
        key = webcrypto.publicKey(this.#inner.keyDer(), signType);
        this.#webKeys.set(signType, key);
      }
      return key;
    }
  }
  return Verifier;
}
