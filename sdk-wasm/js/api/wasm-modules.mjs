// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): the wasm
// modules, and the one place where the wasm-bindgen handles of an entry point become them.
//
// `wasmModules(wasm, platform)` wraps the handles index.cjs or web.mjs passes to createApi:
// `runtime` (verifying: Verifier, NotificationVerifier, canonical strings, amounts; what
// every merchant loads first), `signing` (Signer and gateway requests: private keys and the
// RSA private operation; loaded on first use), `sm` (runtime and signing with 国密,
// SM2/SM3/SM4, compiled in: loaded when an object needs it) and `tools` (reconcile,
// explain, test notifications, key generation in wasm, Alipay certificate SNs; loaded on
// first use; it has SM too). Nothing else in the layer touches a handle: an object takes
// the module it works with from here once, in its constructor (`constructIn`), and keeps it.
//
// A WasmModule keeps what belongs to one module: whether it trapped (a Rust panic, after
// which it refuses work) and its input and output buffers (flat.mjs). Imports errors.mjs,
// flat.mjs.
import { PaysignError } from './errors.mjs';
import { FlatBuffers } from './flat.mjs';

/** One wasm-bindgen module as the layer uses it. */
export class WasmModule {
  #handle;
  #usable;
  #trap = null;
  #buffers = null;

  /**
   * @param {() => object} handle  the wasm-bindgen module (may load it first, or throw while
   *   the runtime cannot: see createApi's platform.tools)
   * @param {() => void} usable    throws unless the module may be used now (not initialised,
   *   or a module it needs is unusable)
   */
  constructor(handle, usable) {
    this.#handle = handle;
    this.#usable = usable;
  }

  /** The bindings, once the module is usable and has not trapped; throws otherwise. */
  bindings() {
    this.#usable();
    this.#throwIfTrapped();
    return this.#handle();
  }

  /** Throws the error of an earlier trap: the instance may be inconsistent since. */
  alive() {
    this.#throwIfTrapped();
  }

  /** `fn()` (a call into this module); what it throws comes out as `error(e)` makes it. */
  call(fn) {
    try {
      return fn();
    } catch (e) {
      throw this.error(e);
    }
  }

  /** `call`, with the outcome as a value: `{ ok: true, value }` or `{ ok: false, error }`. */
  attempt(fn) {
    try {
      return { ok: true, value: fn() };
    } catch (e) {
      return { ok: false, error: this.error(e) };
    }
  }

  /**
   * `fn(stop)`, a call into this module that a host function it hands to wasm may end early
   * with `stop(value)` once it has what it came for (the first pass of
   * NotificationVerifier.verifyAsync takes out the prepared RSA check): `{ stopped: true,
   * value }`, or the call's own outcome as `attempt` gives it, with `stopped: false`.
   *
   * wasm rethrows a host function's exception unchanged (sdk-wasm/src/notification.rs), and
   * that is how `stop` leaves the call: the one throw for an ordinary outcome in the layer,
   * kept inside this method. The alternative, answering "not verified", ends the call in a
   * SIGNATURE_MISMATCH error that wasm builds and throws, measured 12-18% slower for
   * verifyAsync with WebCrypto.
   */
  stoppable(fn) {
    const signal = { value: undefined }; // a plain object: no stack to capture, known by identity
    const stop = (value) => {
      signal.value = value;
      throw signal;
    };
    try {
      return { stopped: false, ok: true, value: fn(stop) };
    } catch (e) {
      if (e === signal) return { stopped: true, value: signal.value };
      return { stopped: false, ok: false, error: this.error(e) };
    }
  }

  /**
   * What the caller sees of an exception out of this module. A trap from wasm means a Rust
   * panic: a bug. The instance may be inconsistent after it, so the module refuses further
   * work instead of returning wrong answers. Anything else (a PaysignError, a TypeError, a
   * host function's exception) is passed on as it is.
   */
  error(e) {
    if (e instanceof PaysignError) return e;
    if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) {
      let detail = null;
      try {
        detail = this.#handle().takePanicMessage();
      } catch (_) {
        // The instance is unusable; the trap itself is the report.
      }
      const error = new Error(
        `paysign internal error (a bug, please report it): ${detail || e.message}; reload the module`,
        { cause: e },
      );
      this.#trap = error;
      return error;
    }
    return e;
  }

  /** This module's input and output buffers (flat.mjs). */
  buffers() {
    if (this.#buffers === null) this.#buffers = new FlatBuffers(this.#handle());
    return this.#buffers;
  }

  #throwIfTrapped() {
    if (this.#trap !== null) throw this.#trap;
  }
}

/**
 * `construct(module)`, the construction of an object's wasm side, in `module` (the runtime
 * for verifiers, the signing module for a Signer); or, where that module answers
 * ALGORITHM_UNAVAILABLE (an SM2 key, an SM2 or SM3 sign type: both are built without 国密
 * for their size), in the SM module. The module decides, from the same parsing it always
 * does: no second reading of keys or names here. Returns `{ module, value }`: the object
 * keeps that module for every later call.
 */
export function constructIn(module, sm, construct) {
  const first = module.attempt(() => construct(module.bindings()));
  if (first.ok) return { module, value: first.value };
  if (!(first.error instanceof PaysignError) || first.error.code !== 'ALGORITHM_UNAVAILABLE') throw first.error;
  const bindings = sm.bindings();
  return { module: sm, value: sm.call(() => construct(bindings)) };
}

/**
 * The modules of one entry point.
 *
 * @param {object} wasm        the runtime wasm-bindgen module (node/ or web/ build)
 * @param {object} platform    see createApi (index.mjs): isReady, signing, tools, sm
 * @returns {{ runtime: WasmModule, signing: WasmModule, sm: WasmModule, tools: WasmModule }}
 */
export function wasmModules(wasm, platform) {
  const runtime = new WasmModule(
    () => wasm,
    () => {
      if (!platform.isReady()) {
        throw new Error('paysign is not initialised: `await init()` (or call initSync()) before using it');
      }
    },
  );
  // The other modules work only beside a usable runtime module (the entry point loads them
  // after the runtime; a trap in the runtime ends them all, a trap in one of them ends it
  // alone).
  const signing = new WasmModule(platform.signing, () => runtime.bindings());
  const tools = new WasmModule(platform.tools, () => runtime.bindings());
  const sm = new WasmModule(platform.sm, () => runtime.bindings());
  return Object.freeze({ runtime, signing, sm, tools });
}
