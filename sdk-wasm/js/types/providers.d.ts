// paysign's typings, types/providers.d.ts (layout: index.d.ts): where the RSA operation
// runs (api/providers.mjs).

/**
 * Where the RSA operation runs (canonical strings and every check always run in wasm).
 * `auto`: `node:crypto` for synchronous methods on Node (wasm elsewhere), WebCrypto for
 * `*Async` methods where available. Every provider produces identical signatures.
 */
export type Provider = 'auto' | 'wasm' | 'node' | 'webcrypto';

/** A provider after `auto` was resolved. */
export type ResolvedProvider = Exclude<Provider, 'auto'>;

/** Providers chosen for the synchronous and the `*Async` methods. */
export interface ProviderChoice {
  readonly sync: ResolvedProvider;
  readonly async: ResolvedProvider;
}
