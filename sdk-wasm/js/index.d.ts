// Type definitions for paysign 0.1 (hand-written; the same file serves every entry point).
// URLSearchParams comes from the DOM library or @types/node, which every TypeScript user of
// this package has (browsers and bundlers use the former, Node projects the latter).
/// <reference lib="esnext.disposable" />

/**
 * Signing conventions of a platform. `wechat-v3` and `standard-webhooks` sign a raw body
 * in HTTP headers rather than `k=v` parameters; their messages belong to the notification
 * API, not to `Signer`/`Verifier`.
 */
export type Profile = 'paysign' | 'alipay' | 'wechat-v2' | 'wechat-v3' | 'unionpay' | 'standard-webhooks';

/** Which kind of message: a request to the platform, or its asynchronous notification. */
export type MessageKind = 'request' | 'notification';

/** Signature algorithm, as the platforms name it. MD5 is legacy and weak. */
export type SignType = 'MD5' | 'HMAC-SHA256' | 'SHA256' | 'RSA' | 'RSA2';

/**
 * Where the RSA operation runs (canonical strings and every check always run in wasm).
 * `auto`: `node:crypto` for synchronous methods on Node (wasm elsewhere), WebCrypto for
 * `*Async` methods where available. Every provider produces identical signatures.
 */
export type Provider = 'auto' | 'wasm' | 'node' | 'webcrypto';

/** A provider after `auto` was resolved. */
export type ResolvedProvider = Exclude<Provider, 'auto'>;

/**
 * Message parameters: names to exact string values. Numbers are refused (`TypeError`):
 * convert them yourself so the signed text is the text you send.
 */
export type ParamsInput =
  | Readonly<Record<string, string>>
  | ReadonlyMap<string, string>
  | URLSearchParams
  | ReadonlyArray<readonly [string, string]>;

/**
 * What a params argument of type `P` must be: one of the `ParamsInput` kinds, or an
 * object whose every property is a string — which lets interfaces (`interface Order
 * { out_trade_no: string }`) through, as `Record<string, string>` alone would not.
 */
export type ParamsShape<P> =
  | ReadonlyMap<string, string>
  | URLSearchParams
  | ReadonlyArray<readonly [string, string]>
  | ({ readonly [K in keyof P]: string } & object);

/** The fields `signParams` sets (`sign_type` unless the profile implies the sign type). */
export interface SignatureFields {
  sign: string;
  sign_type?: string;
}

/** What `signParams` returns for an input of type `P`: a copy of the same kind. */
export type SignedParams<P> = P extends URLSearchParams
  ? URLSearchParams
  : P extends ReadonlyMap<string, string>
    ? Map<string, string>
    : P extends ReadonlyArray<readonly [string, string]>
      ? Array<[string, string]>
      : { -readonly [K in keyof P]: string } & SignatureFields;

/** Key or secret: text (PEM, bare base64, the secret itself) or bytes (DER, raw secret). */
export type KeyMaterial = string | Uint8Array;

/** Options that decide the canonical string. */
export interface CanonicalOptions {
  /** Default `paysign`. */
  profile?: Profile;
  /** Default `request` for signing and `canonicalize`, `notification` for verifying. */
  message?: MessageKind;
}

/** Options of `Signer` and `sign`. Pass `privateKey` (RSA, RSA2) or `secret` (MD5, HMAC-SHA256). */
export interface SignerOptions extends CanonicalOptions {
  /** Default: the profile's default (RSA2 for paysign and alipay, MD5 for wechat-v2). */
  signType?: SignType;
  /** RSA private key: PKCS#8 or PKCS#1, as PEM, bare base64 or DER bytes. */
  privateKey?: KeyMaterial;
  /** Shared secret for MD5 / HMAC-SHA256. */
  secret?: KeyMaterial;
  /** Default `auto`. */
  provider?: Provider;
}

/** Options of `Verifier` and `verify`. Pass `publicKey` (RSA, RSA2) or `secret` (MD5, HMAC-SHA256). */
export interface VerifierOptions extends CanonicalOptions {
  /** The one sign type accepted. Default: the profile's default. */
  signType?: SignType;
  /** Several accepted sign types (instead of `signType`); the message's `sign_type` picks among them only. */
  signTypes?: readonly SignType[];
  /** The sender's RSA public key: SPKI, PKCS#1 or an X.509 certificate, as PEM, bare base64 or DER bytes. */
  publicKey?: KeyMaterial;
  /** Shared secret for MD5 / HMAC-SHA256. */
  secret?: KeyMaterial;
  /** Default `auto`. */
  provider?: Provider;
}

/** A successful verification. A failed one throws `PaysignError`; `valid` is never `false`. */
export interface VerifyResult {
  readonly valid: true;
  /** The sign type the message was verified with. */
  readonly signType: SignType;
}

/** Providers chosen for the synchronous and the `*Async` methods. */
export interface ProviderChoice {
  readonly sync: ResolvedProvider;
  readonly async: ResolvedProvider;
}

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

/** The stable error codes of paysign-core (`Error::code()`), shared with the CLI and the gateway. */
export type ErrorCode =
  | 'PARAM_DUPLICATE'
  | 'PARAM_NAME_INVALID'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_MISMATCH'
  | 'SIGNATURE_MALFORMED'
  | 'SIGN_TYPE_MISSING'
  | 'SIGN_TYPE_NOT_ALLOWED'
  | 'UNSUPPORTED_SIGN_TYPE'
  | 'UNSUPPORTED_PROFILE'
  | 'CREDENTIAL_MISMATCH'
  | 'KEY_INVALID'
  | 'KEY_TOO_SMALL'
  | 'KEY_ENCRYPTED'
  | 'KEY_KIND_MISMATCH'
  | 'KEY_GENERATION_FAILED'
  | 'KEY_UNKNOWN_SERIAL'
  | 'SIGNATURE_PROBE'
  | 'DECRYPTION_FAILED'
  | 'SECRET_EMPTY'
  | 'RANDOM_UNAVAILABLE'
  | 'BODY_TOO_LARGE'
  | 'BODY_MALFORMED'
  | 'NESTING_TOO_DEEP'
  | 'CHARSET_UNSUPPORTED'
  | 'CHARSET_INVALID'
  | 'FIELD_MISSING'
  | 'FIELD_INVALID'
  | 'AMOUNT_INVALID'
  | 'AMOUNT_MISMATCH'
  | 'APP_ID_MISMATCH'
  | 'TIMESTAMP_INVALID'
  | 'TIMESTAMP_OUT_OF_WINDOW'
  | 'REPLAY_DETECTED';

/**
 * Every message, key and configuration failure. Wrong JavaScript types throw `TypeError`;
 * an uninitialised module (web entry) and an unavailable provider throw `Error`.
 */
export declare class PaysignError extends Error {
  constructor(message: string, code: ErrorCode);
  readonly name: 'PaysignError';
  /** Stable machine-readable code, e.g. `SIGNATURE_MISMATCH`. */
  readonly code: ErrorCode;
}

/** Parses a private key or secret once and signs many messages. */
export declare class Signer implements Disposable {
  constructor(options: SignerOptions);
  readonly profile: Profile;
  readonly message: MessageKind;
  readonly signType: SignType;
  /** Where the RSA step runs (`wasm` for digest sign types). */
  readonly provider: ProviderChoice;
  /** The canonical string that `sign` signs. */
  canonicalize<P extends ParamsShape<P>>(params: P): string;
  /** The signature of `params` as they are (nothing added). */
  sign<P extends ParamsShape<P>>(params: P): string;
  /** `sign` with the RSA step in the asynchronous provider. */
  signAsync<P extends ParamsShape<P>>(params: P): Promise<string>;
  /** A copy of `params`, of the same kind, with `sign_type` (unless the profile implies it) and `sign` set. */
  signParams<P extends ParamsShape<P>>(params: P): SignedParams<P>;
  /** `signParams` with the RSA step in the asynchronous provider. */
  signParamsAsync<P extends ParamsShape<P>>(params: P): Promise<SignedParams<P>>;
  /** Releases the parsed key now (zeroised); garbage collection does it otherwise. */
  free(): void;
  [Symbol.dispose](): void;
}

/** Parses a public key or secret once and verifies many messages. */
export declare class Verifier implements Disposable {
  constructor(options: VerifierOptions);
  readonly profile: Profile;
  readonly message: MessageKind;
  /** The accepted sign types; a message cannot choose another. */
  readonly accepted: readonly SignType[];
  /** Where the RSA step runs (`wasm` for digest sign types). */
  readonly provider: ProviderChoice;
  /** The canonical string a message's signature must cover. */
  canonicalize<P extends ParamsShape<P>>(params: P): string;
  /** Checks `params` (including `sign`); throws `PaysignError` unless valid. */
  verify<P extends ParamsShape<P>>(params: P): VerifyResult;
  /** `verify` with the RSA step in the asynchronous provider. */
  verifyAsync<P extends ParamsShape<P>>(params: P): Promise<VerifyResult>;
  /** Releases the parsed key now; garbage collection does it otherwise. */
  free(): void;
  [Symbol.dispose](): void;
}

/** The canonical string of `params` (default: paysign profile, request). */
export declare function canonicalize<P extends ParamsShape<P>>(params: P, options?: CanonicalOptions): string;

/** One-off signature: parses the key on every call; use `Signer` to sign many messages. */
export declare function sign<P extends ParamsShape<P>>(params: P, options: SignerOptions): string;

/** One-off `signAsync`. */
export declare function signAsync<P extends ParamsShape<P>>(params: P, options: SignerOptions): Promise<string>;

/** One-off verification: parses the key on every call; use `Verifier` for many messages. */
export declare function verify<P extends ParamsShape<P>>(params: P, options: VerifierOptions): VerifyResult;

/** One-off `verifyAsync`. */
export declare function verifyAsync<P extends ParamsShape<P>>(params: P, options: VerifierOptions): Promise<VerifyResult>;

/** A new RSA key pair, generated synchronously (node:crypto on Node, wasm elsewhere). */
export declare function generateKeyPair(options?: KeyPairOptions): KeyPair;

/** A new RSA key pair, generated off the main thread where the provider allows. */
export declare function generateKeyPairAsync(options?: KeyPairOptions): Promise<KeyPair>;

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
 * source: `paysign_wasm_bg.wasm` next to the module). On Node it resolves immediately.
 */
export declare function init(input?: InitInput): Promise<void>;

/** Synchronous `init` from the module's bytes or a compiled module (web entry). No-op on Node. */
export declare function initSync(module?: ArrayBuffer | ArrayBufferView | WasmModuleLike): void;
