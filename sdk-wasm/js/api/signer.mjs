// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): Signer, a
// thin shell around the core's signer (WasmSigner, sdk-wasm/src/signer.rs).
//
// The key is parsed once, in wasm. The core builds what is signed (a canonical string, a
// header-signed profile's string to sign) and, with the `wasm` provider, the signature;
// with `node` or `webcrypto` only the RSA operation runs in the host (node-crypto.mjs,
// webcrypto.mjs) over the bytes the core hands out. Imports errors.mjs, header-request.mjs,
// keys.mjs, options.mjs, params.mjs, providers.mjs, wasm-modules.mjs, webcrypto.mjs.
import { PaysignError } from './errors.mjs';
import { authorizationOf, requestValues } from './header-request.mjs';
import { credentials, material } from './keys.mjs';
import { optionalString, optionsObject } from './options.mjs';
import { withFields } from './params.mjs';
import { providerChoice, rsaStep, webcryptoIsAsync } from './providers.mjs';
import { constructIn } from './wasm-modules.mjs';
import { webcrypto } from './webcrypto.mjs';

const encoder = new TextEncoder();

// Alipay certificate mode: [app_cert_sn, alipay_root_cert_sn] from the certificates,
// computed once by the tools module (setup work, kept out of the runtime module).
function alipayCertSns(opts, tools) {
  const appCert = material(opts, 'appCert');
  const rootCert = material(opts, 'alipayRootCert');
  if (appCert === undefined && rootCert === undefined) return undefined;
  if (appCert === undefined || rootCert === undefined) {
    throw new TypeError('Alipay certificate mode needs both options.appCert (your application certificate) and options.alipayRootCert (alipayRootCert.crt)');
  }
  const bindings = tools.bindings();
  return tools.call(() => bindings.alipayCertSns(appCert, rootCert));
}

/**
 * The Signer class over the modules of one entry point (createApi's context: `runtime`,
 * `signing`, where a Signer is built unless it needs 国密 (`sm`), `tools`, `node`, the
 * node:crypto provider or null).
 */
export function signerClass({ runtime, signing, sm, tools, node }) {
  /** Parses a key once and signs many messages. */
  class Signer {
    #wasm; // the module this Signer works with
    #inner;
    #profile;
    #message;
    #provider; // where the RSA step runs (providers.mjs, rsaStep)
    #signType;
    #field;
    #typeParam;
    #certFields;
    #nodeKey = null;
    #webKey = null;

    /** @param {object} options */
    constructor(options) {
      runtime.bindings();
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
      const certSns = alipayCertSns(opts, tools);
      const choice = providerChoice(opts, node);
      const built = constructIn(signing, sm, (wasm) => {
        const extras = new wasm.WasmSignerExtras(mchId, serialNo, certSns);
        return new wasm.WasmSigner(profile, message, signType, key, secret, extras);
      });
      this.#wasm = built.module;
      this.#inner = built.value;
      this.#wasm.call(() => {
        this.#provider = rsaStep(choice, this.#inner.isRsa);
        this.#signType = this.#inner.signType;
        this.#field = this.#inner.signatureField;
        this.#typeParam = this.#inner.signTypeParam ?? null;
        this.#certFields = this.#inner.certFields ?? null;
      });
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
      return { ...this.#provider };
    }

    #live() {
      if (this.#inner === null) throw new TypeError('this Signer was freed');
      this.#wasm.alive();
    }

    /** The canonical string `sign` signs. */
    canonicalize(params) {
      this.#live();
      const input = this.#wasm.buffers().params(params);
      return this.#wasm.call(() => this.#inner.canonical(input.lens, input.bytes));
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
      if (provider === 'webcrypto') throw webcryptoIsAsync(`call ${what}Async(), or use provider 'wasm' or 'node'`);
      if (provider === 'wasm') return this.#headers(r, undefined);
      return this.#headers(r, this.#nodeSign(encoder.encode(this.#stringToSign(r))));
    }

    async #signHeadersAsync(request, what) {
      this.#live();
      const provider = this.#provider.async;
      if (provider !== 'webcrypto') return this.#signHeaders(request, what, provider);
      const r = this.#headerValues(request, what, false);
      const signature = await this.#webSign(encoder.encode(this.#stringToSign(r)));
      this.#live();
      return this.#headers(r, signature);
    }

    #stringToSign(r) {
      return this.#wasm.call(() => this.#inner.requestStringToSign(r.method, r.url, r.timestamp, r.nonce, r.id, r.body));
    }

    // Assembled by the core (and signed there when `signature` is undefined).
    #headers(r, signature) {
      const flat = this.#wasm.call(() => this.#inner.requestHeaders(r.method, r.url, r.timestamp, r.nonce, r.id, r.body, signature));
      const headers = {};
      for (let i = 0; i < flat.length; i += 2) headers[flat[i]] = flat[i + 1];
      const signed = { headers, timestamp: r.timestamp };
      if (r.nonce !== undefined) signed.nonce = r.nonce;
      return signed;
    }

    // The request's values with their defaults (header-request.mjs). A profile that signs
    // a field has none: the core's refusal of a string to sign, worded for JavaScript.
    #headerValues(request, what, exact) {
      const spec = this.#inner.requestValues;
      if (spec.length === 0) {
        const refused = this.#wasm.attempt(() => this.#inner.requestStringToSign(undefined, undefined, 0, undefined, undefined, ''));
        if (!refused.ok) throw refused.error;
      }
      const wasm = this.#wasm;
      return requestValues(request, spec, what, exact, () => wasm.call(() => wasm.bindings().randomNonce()));
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
      const input = this.#wasm.buffers().params(params);
      const provider = this.#provider.sync;
      if (provider === 'webcrypto') throw webcryptoIsAsync();
      return this.#signNow(provider, params, addFields, input);
    }

    async #signAsync(params, addFields) {
      this.#live();
      const input = this.#wasm.buffers().params(params);
      const provider = this.#provider.async;
      if (provider !== 'webcrypto') return this.#signNow(provider, params, addFields, input);
      const signed = this.#wasm.call(() => this.#signedBytes(addFields, input));
      const signature = await this.#webSign(signed);
      return addFields ? this.#signed(params, signature) : signature;
    }

    // Signs the parameters `input` wrote, in wasm or with node:crypto.
    #signNow(provider, params, addFields, input) {
      const signature = this.#wasm.call(() => {
        if (provider !== 'wasm') return this.#nodeSign(this.#signedBytes(addFields, input));
        return addFields ? this.#inner.signParams(input.lens, input.bytes) : this.#inner.sign(input.lens, input.bytes);
      });
      return addFields ? this.#signed(params, signature) : signature;
    }

    // What an RSA signature covers (WasmSigner.signedBytes), for a host provider.
    #signedBytes(addFields, input) {
      return addFields
        ? this.#inner.signedBytesForSignParams(input.lens, input.bytes)
        : this.#inner.signedBytes(input.lens, input.bytes);
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
      if (this.#nodeKey === null) this.#nodeKey = node.privateKey(this.#inner.keyDer());
      return node.sign(this.#nodeKey, this.#signType, signed);
    }

    async #webSign(signed) {
      if (this.#webKey === null) this.#webKey = webcrypto.privateKey(this.#inner.keyDer(), this.#signType);
      return webcrypto.sign(await this.#webKey, signed);
    }
  }
  return Signer;
}
