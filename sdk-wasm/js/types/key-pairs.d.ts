// paysign's typings, types/key-pairs.d.ts (layout: index.d.ts): new RSA key pairs
// (api/key-pairs.mjs).
import type { Provider } from './providers.js';

/** Options of `generateKeyPair`. */
export interface KeyPairOptions {
  /** Modulus size; default 2048. */
  bits?: 2048 | 3072 | 4096;
  /** Generator: `auto` uses node:crypto or WebCrypto where present (wasm takes seconds). */
  provider?: Provider;
}

/** A key pair: PKCS#8 private key and SPKI public key, as PEM and as one line of base64. */
export interface KeyPair {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  readonly privateKeyBase64: string;
  readonly publicKeyBase64: string;
}

/** A new RSA key pair, generated synchronously (node:crypto on Node, wasm elsewhere). */
export declare function generateKeyPair(options?: KeyPairOptions): KeyPair;

/** A new RSA key pair, generated off the main thread where the provider allows. */
export declare function generateKeyPairAsync(options?: KeyPairOptions): Promise<KeyPair>;
