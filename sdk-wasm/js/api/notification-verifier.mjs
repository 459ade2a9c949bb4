// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh):
// NotificationVerifier, a thin shell around the core's notification pipeline
// (WasmNotificationVerifier, sdk-wasm/src/notification.rs).
//
// Raw body and headers in, typed notification out: every check runs in the core. A host
// provider does only the RSA operation: `node` synchronously, called from inside wasm with
// the prepared check; `webcrypto` in two passes (verifyAsync). The exactly-once flow
// (claim, complete, release) runs in the verifier's own store or the caller's
// (replay-store.mjs). Imports errors.mjs, http.mjs, keys.mjs, options.mjs, prepared.mjs,
// providers.mjs, replay-store.mjs, wasm-modules.mjs, webcrypto.mjs.
import { PaysignError } from './errors.mjs';
import { bodyBytes, headerList } from './http.mjs';
import { keyBytes, secretBytes } from './keys.mjs';
import { checkKeys, entriesOf, fenOf, nowOf, optionalBoolean, optionalString, optionsObject, secondsOf, signTypeList } from './options.mjs';
import { checkKeyIndex, notificationCheck, sameBytes } from './prepared.mjs';
import { providerChoice, rsaStep, webcryptoIsAsync } from './providers.mjs';
import { claimOf, replayStoreOf, storeFailure } from './replay-store.mjs';
import { constructIn } from './wasm-modules.mjs';
import { webcrypto } from './webcrypto.mjs';

// The parameters in pieces[from…] (name, value, …) as an object, like JSON.parse makes
// one: `__proto__` is an own property, never the prototype.
function paramsOf(pieces, from) {
  const params = {};
  for (let i = from; i + 1 < pieces.length; i += 2) {
    const name = pieces[i];
    if (name === '__proto__') {
      Object.defineProperty(params, name, { value: pieces[i + 1], enumerable: true, writable: true, configurable: true });
    } else {
      params[name] = pieces[i + 1];
    }
  }
  return params;
}

const NOTIFICATION_OPTIONS = [
  'profile',
  'publicKey',
  'publicKeys',
  'secret',
  'secrets',
  'decryptionKey',
  'signaturesOnly',
  'accept',
  'appId',
  'mchId',
  'toleranceSecs',
  'maxAgeSecs',
  'leaseSecs',
  'provider',
  'replayStore',
];

const VERIFY_OPTIONS = ['contentType', 'headers', 'expectedAmount', 'now'];

/** The per-call options of verify and verifyAsync, checked. */
export function verifyOptions(options, what) {
  const opts = optionsObject(options, what);
  checkKeys(opts, VERIFY_OPTIONS, what);
  return {
    contentType: optionalString(opts, 'contentType'),
    headers: headerList(opts.headers, 'options.headers'),
    expected: opts.expectedAmount === undefined ? undefined : fenOf(opts.expectedAmount, 'options.expectedAmount'),
    now: nowOf(opts.now, 'options.now'),
  };
}

function completeOptions(options, what) {
  const opts = optionsObject(options, what);
  checkKeys(opts, ['now'], what);
  return nowOf(opts.now, 'options.now');
}

function notificationArgument(notification, what) {
  if (notification === null || typeof notification !== 'object' || typeof notification.notifyId !== 'string') {
    throw new TypeError(`${what}(notification): pass the notification verify() returned`);
  }
}

// An acknowledgement as a fetch Response, for route handlers of fetch-based runtimes.
function responseOf(ack, what) {
  if (typeof Response !== 'function') {
    throw new Error(`${what} needs the fetch Response class, which this runtime lacks; use ${what.replace('Response', '')}()`);
  }
  return new Response(ack.body, { status: ack.status, headers: { 'content-type': ack.contentType } });
}

/**
 * The NotificationVerifier class over the modules of one entry point (createApi's context:
 * `runtime`, `node`, the node:crypto provider or null).
 */
export function notificationVerifierClass({ runtime, sm, node }) {
  /**
   * Verifies a platform's asynchronous notifications (and the gateway's responses) for one
   * merchant: configured once, then `verify(rawBody, { headers })` per request.
   */
  class NotificationVerifier {
    #wasm; // the module this verifier works with
    #inner = null;
    #profile;
    #provider; // where the RSA step runs (providers.mjs, rsaStep)
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
      runtime.bindings();
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
      const choice = providerChoice(opts, node);
      this.#replayStore = replayStoreOf(opts.replayStore);
      // The key bytes are read once, before any module: a TypeError is the caller's, in either.
      const publicKey = opts.publicKey === undefined ? undefined : keyBytes(opts.publicKey, 'options.publicKey');
      const keyed = publicKeys.map(([id, key]) => [id, keyBytes(key, `options.publicKeys[${JSON.stringify(id)}]`)]);
      const decryptionKey = opts.decryptionKey === undefined ? undefined : secretBytes(opts.decryptionKey, 'options.decryptionKey');
      const signaturesOnly = optionalBoolean(opts, 'signaturesOnly');
      const built = constructIn(runtime, sm, (wasm) => {
        const config = new wasm.WasmNotificationConfig(profile, accept);
        try {
          if (publicKey !== undefined) config.publicKey(publicKey);
          for (const [id, key] of keyed) config.addPublicKey(id, key);
          for (const secret of secrets) config.addSecret(secret);
          if (decryptionKey !== undefined) config.decryptionKey(decryptionKey);
          if (signaturesOnly) config.signaturesOnly();
          if (appId !== undefined) config.appId(appId);
          if (mchId !== undefined) config.mchId(mchId);
          if (tolerance !== undefined) config.toleranceSecs(tolerance);
          if (maxAge !== undefined) config.maxAgeSecs(maxAge);
          if (lease !== undefined) config.leaseSecs(lease);
        } catch (e) {
          // The configuration is freed whatever stopped it (a key of the wrong type, one the
          // core refused, one this module cannot read).
          config.free();
          throw e;
        }
        // Consumes the configuration, whether it succeeds or not.
        return new wasm.WasmNotificationVerifier(config);
      });
      this.#wasm = built.module;
      this.#inner = built.value;
      this.#wasm.call(() => {
        this.#provider = rsaStep(choice, this.#inner.isRsa);
        this.#accepted = Object.freeze(this.#inner.accepted);
        this.#profile = this.#inner.profile;
        this.#replayWindow = this.#inner.replayWindowSecs;
        this.#leaseSecs = this.#inner.leaseSecs;
      });
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
      return { ...this.#provider };
    }

    /** How long a claim on a notification id lasts, in seconds (the lease). */
    get leaseSecs() {
      return this.#leaseSecs;
    }

    #live() {
      if (this.#inner === null) throw new TypeError('this NotificationVerifier was freed');
      this.#wasm.alive();
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
      return this.#run(bytes, call, this.#provider.sync);
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
      const provider = this.#provider.async;
      if (provider !== 'webcrypto') return this.#run(bodyBytes(body, 'body'), call, provider);
      // Our own copy: the caller's buffer may change while WebCrypto works.
      const bytes = bodyBytes(body, 'body').slice();
      const buffers = this.#wasm.buffers();
      const record = this.#replayStore === null;
      // First pass: every check up to the RSA operation, which the host function takes out
      // (a copy of the prepared check), stopping the pass there. Nothing before the RSA
      // operation has any effect: the replay store is untouched.
      let input = buffers.list(call.headers);
      const first = this.#wasm.stoppable((stop) =>
        this.#inner.verify(bytes, call.contentType, input.lens, input.bytes, call.expected, call.now, (length) => stop(buffers.output(length).slice(0, length)), record),
      );
      if (!first.stopped) {
        // No RSA step (an encrypted WeChat Pay v2 refund): this pass was the verification.
        if (!first.ok) throw first.error;
        return this.#received(first.value);
      }
      const prepared = first.value;
      const valid = await this.#webVerify(prepared);
      this.#live();
      // Second pass: the same checks with the verdict, then everything after the signature.
      input = buffers.list(call.headers);
      const text = this.#wasm.call(() =>
        this.#inner.verify(
          bytes,
          call.contentType,
          input.lens,
          input.bytes,
          call.expected,
          call.now,
          (length) => valid === true && sameBytes(buffers.output(length), length, prepared),
          record,
        ),
      );
      return this.#received(text);
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
      const input = this.#wasm.buffers().list(headers);
      return JSON.parse(this.#wasm.call(() => this.#inner.verifyResponse(bytes, contentType, input.lens, input.bytes, nonce, now)));
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
      const input = this.#wasm.buffers().list(headers);
      return { valid: true, signType: this.#wasm.call(() => this.#inner.verifySignature(bytes, contentType, input.lens, input.bytes, now)) };
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
      this.#wasm.call(() => this.#inner.complete(notification.notifyId, now));
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
        throw storeFailure(e, this.#wasm.bindings());
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
      this.#wasm.call(() => this.#inner.release(notification.notifyId, token));
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
        throw storeFailure(e, this.#wasm.bindings());
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
      const wasm = this.#wasm.bindings();
      this.#wasm.call(() => wasm.WasmNotificationVerifier.checkAmount(notification.totalAmount, expected));
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
      return JSON.parse(this.#wasm.call(() => this.#inner.acknowledge(ok, reason, undefined)));
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
      return JSON.parse(this.#wasm.call(() => this.#inner.acknowledge(false, 'FAIL', code)));
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
        throw storeFailure(e, this.#wasm.bindings());
      }
      const claim = claimOf(answer);
      if (claim.status === 'in-progress') throw this.#wasm.bindings().WasmNotificationVerifier.replayError(notification.notifyId, undefined);
      notification.duplicate = claim.status === 'done';
      if (claim.status === 'claimed') this.#claims.set(notification, claim.token);
      return notification;
    }

    // A notification as wasm returned it (notification.rs, notification_pieces: the order
    // of the pieces): its claim token goes into #claims, not onto the object.
    #received(text) {
      const p = this.#wasm.buffers().pieces(text);
      const notification = {
        profile: p[0],
        signType: p[1],
        notifyId: p[2],
        appId: p[3],
        outTradeNo: p[4],
        tradeNo: p[5],
        billNo: p[6],
        status: p[7],
        totalAmount: Number(p[8]),
        refundAmount: p[9] === null ? null : Number(p[9]),
        notifyTime: p[10] === null ? null : Number(p[10]),
        eventType: p[11],
        payload: p[12],
        duplicate: p[13] !== null,
        params: paramsOf(p, 15),
      };
      if (p[14] !== null) this.#claims.set(notification, p[14]);
      return notification;
    }

    #run(bytes, call, provider) {
      if (provider === 'webcrypto') throw webcryptoIsAsync();
      const input = this.#wasm.buffers().list(call.headers);
      const host = provider === 'node' ? this.#nodeCheck : undefined;
      const text = this.#wasm.call(() =>
        this.#inner.verify(bytes, call.contentType, input.lens, input.bytes, call.expected, call.now, host, this.#replayStore === null),
      );
      return this.#received(text);
    }

    // Called from inside wasm with the prepared check (prepared.mjs) in the output buffer.
    #nodeVerify(length) {
      const buffers = this.#wasm.buffers();
      const index = checkKeyIndex(buffers.output(length));
      let key = this.#nodeKeys.get(index);
      if (key === undefined) {
        // A wasm call may grow its memory: the output view is taken again below.
        const der = this.#inner.keyDer(index);
        if (der === undefined) throw new Error(`paysign internal error: no key ${index}`);
        key = node.publicKey(der);
        this.#nodeKeys.set(index, key);
      }
      const check = notificationCheck(buffers.output(length), length);
      return node.verify(key, check.signType, check.signed, check.signature);
    }

    async #webVerify(prepared) {
      const check = notificationCheck(prepared, prepared.length);
      const id = `${check.index}:${check.signType}`;
      let key = this.#webKeys.get(id);
      if (key === undefined) {
        key = webcrypto.publicKey(this.#inner.keyDer(check.index), check.signType);
        key.catch(() => this.#webKeys.delete(id));
        this.#webKeys.set(id, key);
      }
      return webcrypto.verify(await key, check.signature, check.signed);
    }
  }
  return NotificationVerifier;
}
