// paysign's typings, types/init.d.ts (layout: index.d.ts): instantiating the wasm modules
// (the entry points, index.cjs and web.mjs).

/** A URL-like value (`URL` or anything with an `href`). */
export interface UrlLike {
  readonly href: string;
}

/** A fetch `Response`-like value. */
export interface ResponseLike {
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * A compiled `WebAssembly.Module` (typed structurally so these typings need neither the
 * DOM library nor @types/node).
 */
export interface WasmModuleLike {
  readonly [Symbol.toStringTag]?: string;
}

/** What `init` loads the module from. */
export type InitInput = string | UrlLike | ResponseLike | PromiseLike<ResponseLike> | ArrayBuffer | ArrayBufferView | WasmModuleLike;

/**
 * Instantiates the wasm module (web entry: required once before any other call; default
 * source: `paysign_wasm_bg.wasm` next to the module, and then the signing module too,
 * `paysign_signing_bg.wasm`, see `initSigning`). On Node it resolves immediately.
 */
export declare function init(input?: InitInput): Promise<void>;

/** Synchronous `init` from the module's bytes or a compiled module (web entry). No-op on Node. */
export declare function initSync(module?: ArrayBuffer | ArrayBufferView | WasmModuleLike): void;

/**
 * Instantiates the signing module: `Signer` (private keys, the RSA private operation) and
 * `buildRequest` run there, so that the runtime every user loads first holds only
 * verification. Web entry: `init()` without an argument loads it beside the runtime; after
 * `init(source)` or `initSync`, required once before the first `Signer` (default source:
 * `paysign_signing_bg.wasm` next to the module), whose constructor throws `Error` until
 * then. On Node the signing module loads itself when the first `Signer` is built; this
 * only loads it earlier.
 */
export declare function initSigning(input?: InitInput): Promise<void>;

/** Synchronous `initSigning` from the module's bytes or a compiled module (web entry). */
export declare function initSigningSync(module?: ArrayBuffer | ArrayBufferView | WasmModuleLike): void;

/**
 * Instantiates the tools module, the package's second wasm module: `reconcile`, `explain`
 * and key generation in wasm (`generateKeyPair` with the `wasm` provider, which the web
 * entry's synchronous `generateKeyPair` uses; `generateKeyPairAsync` uses WebCrypto and
 * does not need it) run there. Web entry: required once before those calls (default
 * source: `paysign_tools_bg.wasm` next to the module); they throw `Error` until then. On
 * Node the tools module loads itself on first use; this only loads it earlier.
 */
export declare function initTools(input?: InitInput): Promise<void>;

/** Synchronous `initTools` from the module's bytes or a compiled module (web entry). */
export declare function initToolsSync(module?: ArrayBuffer | ArrayBufferView | WasmModuleLike): void;

/**
 * Instantiates the SM module, the package's third wasm module: the runtime with 国密 (SM2
 * signatures, SM3 digests, SM4-GCM resources) compiled in. A `Signer`, `Verifier` or
 * `NotificationVerifier` given an SM2 key or an `SM2`/`SM3` sign type is built there. Web
 * entry: required once before such objects (default source: `paysign_sm_bg.wasm` next to the
 * module); their constructors throw `Error` until then. On Node the SM module loads itself
 * when the first such object is built; this only loads it earlier.
 */
export declare function initSm(input?: InitInput): Promise<void>;

/** Synchronous `initSm` from the module's bytes or a compiled module (web entry). */
export declare function initSmSync(module?: ArrayBuffer | ArrayBufferView | WasmModuleLike): void;
