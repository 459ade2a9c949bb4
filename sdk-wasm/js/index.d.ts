// Type definitions for paysign 0.1 (hand-written; the same file serves every entry point).
// URLSearchParams comes from the DOM library or @types/node, which every TypeScript user of
// this package has (browsers and bundlers use the former, Node projects the latter).
/// <reference lib="esnext.disposable" />

/**
 * Signing conventions of a platform. `wechat-v3` and `standard-webhooks` sign a raw body
 * in HTTP headers rather than `k=v` parameters: a `Signer` builds their headers
 * (`authorization`, `webhookHeaders`) and refuses `k=v` signing with
 * `UNSUPPORTED_OPERATION`; their messages are verified by `NotificationVerifier` (with the
 * request's headers), not by `Verifier`.
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
  /**
   * Default: the profile's default for the credential (docs/profiles.md): with `privateKey`
   * RSA2; with `secret` HMAC-SHA256 (paysign, standard-webhooks), MD5 (alipay, wechat-v2),
   * SHA256 (unionpay).
   */
  signType?: SignType;
  /** RSA private key: PKCS#8 or PKCS#1, as PEM, bare base64 or DER bytes (wechat-v3: the merchant's API key, apiclient_key.pem). */
  privateKey?: KeyMaterial;
  /** Shared secret for MD5 / HMAC-SHA256 (standard-webhooks: the `whsec_…` secret as shown). */
  secret?: KeyMaterial;
  /** wechat-v3 (required there): the merchant id, `mchid` in the `Authorization` header. */
  mchId?: string;
  /** wechat-v3 (required there): the serial number of the merchant's API certificate. */
  serialNo?: string;
  /**
   * alipay certificate mode, with `alipayRootCert`: the application's public key certificate
   * (`appCertPublicKey_<app_id>.crt`, PEM text or DER bytes); `signParams` adds `app_cert_sn`.
   */
  appCert?: KeyMaterial;
  /**
   * alipay certificate mode, with `appCert`: Alipay's root certificate bundle
   * (`alipayRootCert.crt`); `signParams` adds `alipay_root_cert_sn`.
   */
  alipayRootCert?: KeyMaterial;
  /** Default `auto`. */
  provider?: Provider;
}

/** A WeChat Pay v3 request to sign: what will be sent. */
export interface V3Request {
  /** The HTTP method, uppercase: `GET`, `POST`, … */
  method: string;
  /** The path and query exactly as sent, without scheme and host: `/v3/pay/transactions/jsapi`. */
  url: string;
  /** The body exactly as sent; default `''` (GET). */
  body?: string;
  /** Unix seconds; default the clock (`Math.floor(Date.now() / 1000)`). */
  timestamp?: number;
  /** The request nonce; default 32 random alphanumerics. */
  nonce?: string;
}

/** A WeChat Pay v3 request whose string to sign is wanted: timestamp and nonce as sent. */
export interface V3SignedRequest extends V3Request {
  timestamp: number;
  nonce: string;
}

/** What `Signer.authorization` returns: the header value and what it carries. */
export interface V3Authorization {
  /** The `Authorization` header value: `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`. */
  readonly authorization: string;
  /** The Unix seconds signed. */
  readonly timestamp: number;
  /** The nonce signed. */
  readonly nonce: string;
}

/**
 * A request of a header-signed profile to sign: the values the profile signs (wechat-v3:
 * `method`, `url`, optional `timestamp` and `nonce`; standard-webhooks: `id`, optional
 * `timestamp`) and the body. A value another profile takes is a `TypeError`.
 */
export type HeaderRequest = V3Request | WebhookMessage;

/** What `Signer.requestHeaders` returns: the headers to send and what they carry. */
export interface SignedHeaders {
  /** Header name to value, in the platform's order (`Authorization`; `webhook-id`, `webhook-timestamp`, `webhook-signature`). */
  readonly headers: Readonly<Record<string, string>>;
  /** The Unix seconds signed. */
  readonly timestamp: number;
  /** The nonce signed, where the profile takes one (wechat-v3). */
  readonly nonce?: string;
}

/** A Standard Webhooks message to sign. */
export interface WebhookMessage {
  /** The message id, sent as `webhook-id` (retries of one message keep it). */
  id: string;
  /** The body exactly as sent; default `''`. */
  body?: string;
  /** Unix seconds; default the clock. */
  timestamp?: number;
}

/** A Standard Webhooks message whose string to sign is wanted: the timestamp as sent. */
export interface WebhookSignedMessage extends WebhookMessage {
  timestamp: number;
}

/** The three headers of a signed Standard Webhooks message. */
export interface WebhookHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  /** `v1,<base64>`. */
  readonly 'webhook-signature': string;
}

/** Options of `Verifier` and `verify`. Pass `publicKey` (RSA, RSA2) or `secret` (MD5, HMAC-SHA256). */
export interface VerifierOptions extends CanonicalOptions {
  /**
   * The one sign type accepted. Default: only the profile's default for the credential
   * (as `SignerOptions.signType`), never every type that fits it: a message cannot pick a
   * weaker one.
   */
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
  | 'SECRET_IS_A_KEY'
  | 'RANDOM_UNAVAILABLE'
  | 'BODY_TOO_LARGE'
  | 'BODY_MALFORMED'
  | 'NESTING_TOO_DEEP'
  | 'CHARSET_UNSUPPORTED'
  | 'CHARSET_INVALID'
  | 'CHARSET_CONFLICT'
  | 'FIELD_MISSING'
  | 'FIELD_INVALID'
  | 'AMOUNT_INVALID'
  | 'AMOUNT_MISMATCH'
  | 'APP_ID_MISMATCH'
  | 'MERCHANT_ID_MISMATCH'
  | 'APP_ID_ABSENT'
  | 'TIMESTAMP_INVALID'
  | 'TIMESTAMP_OUT_OF_WINDOW'
  | 'UNSUPPORTED_OPERATION'
  | 'REPLAY_DETECTED'
  | 'NOTIFICATION_IN_PROGRESS'
  | 'REPLAY_STORE_UNAVAILABLE';

/**
 * Every message, key and configuration failure. Wrong JavaScript types throw `TypeError`;
 * an uninitialised module (web entry) and an unavailable provider throw `Error`.
 */
export declare class PaysignError extends Error {
  constructor(message: string, code: ErrorCode);
  readonly name: 'PaysignError';
  /** Stable machine-readable code, e.g. `SIGNATURE_MISMATCH`. */
  readonly code: ErrorCode;
  /** Set by `NotificationVerifier.handle` when the handler booked the notification but the replay store did not record it: acknowledge success. */
  readonly booked?: true;
  /** The booked notification, with `booked`. */
  readonly notification?: Notification;
}

/** Parses a private key or secret once and signs many messages. */
export declare class Signer implements Disposable {
  constructor(options: SignerOptions);
  readonly profile: Profile;
  readonly message: MessageKind;
  readonly signType: SignType;
  /** Where the RSA step runs (`wasm` for digest sign types). */
  readonly provider: ProviderChoice;
  /** The canonical string that `sign` signs (wechat-v3, standard-webhooks: none, `UNSUPPORTED_OPERATION`). */
  canonicalize<P extends ParamsShape<P>>(params: P): string;
  /** The signature of `params` as they are (nothing added; wechat-v3, standard-webhooks: `UNSUPPORTED_OPERATION`). */
  sign<P extends ParamsShape<P>>(params: P): string;
  /** `sign` with the RSA step in the asynchronous provider. */
  signAsync<P extends ParamsShape<P>>(params: P): Promise<string>;
  /**
   * A copy of `params`, of the same kind, with `sign_type` (unless the profile implies it) and
   * `sign` set; in alipay certificate mode `app_cert_sn` and `alipay_root_cert_sn` too.
   */
  signParams<P extends ParamsShape<P>>(params: P): SignedParams<P>;
  /** `signParams` with the RSA step in the asynchronous provider. */
  signParamsAsync<P extends ParamsShape<P>>(params: P): Promise<SignedParams<P>>;
  /**
   * Header-signed profiles (wechat-v3, standard-webhooks): the headers to send with the
   * request's body (the RSA step in the synchronous provider). Profiles that sign a field
   * throw `UNSUPPORTED_OPERATION`.
   */
  requestHeaders(request: HeaderRequest): SignedHeaders;
  /** `requestHeaders` with the RSA step in the asynchronous provider. */
  requestHeadersAsync(request: HeaderRequest): Promise<SignedHeaders>;
  /**
   * wechat-v3: the `Authorization` header of a request (the RSA step in the synchronous
   * provider). Profiles whose requests carry no `Authorization` throw `UNSUPPORTED_OPERATION`.
   */
  authorization(request: V3Request): V3Authorization;
  /** `authorization` with the RSA step in the asynchronous provider. */
  authorizationAsync(request: V3Request): Promise<V3Authorization>;
  /**
   * Header-signed profiles: the string a request's signature covers, every value as sent
   * (wechat-v3 `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`, standard-webhooks `ID.TIMESTAMP.BODY`).
   */
  stringToSign(request: V3SignedRequest | WebhookSignedMessage): string;
  /**
   * standard-webhooks: the `webhook-id`, `webhook-timestamp` and `webhook-signature`
   * headers of a message. Other profiles throw `UNSUPPORTED_OPERATION`.
   */
  webhookHeaders(message: WebhookMessage): WebhookHeaders;
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

/**
 * The canonical string of `params` (default: paysign profile, request). wechat-v3 and
 * standard-webhooks have none (`UNSUPPORTED_OPERATION`): see `Signer.stringToSign`.
 */
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

// ---- notifications ----------------------------------------------------------------------

/** A raw HTTP body exactly as received: text, bytes (a Node `Buffer` is a `Uint8Array`), or an `ArrayBuffer`. */
export type RawBody = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** A fetch `Headers` (typed structurally: any object with `forEach` and `get`). */
export interface HeadersLike {
  forEach(callback: (value: string, name: string) => void): void;
  get(name: string): string | null;
}

/**
 * HTTP headers: a fetch `Headers`, a `Map`, node:http's `req.headers` (array values repeat
 * the header, `undefined` ones are skipped), or `[name, value]` pairs. Names compare
 * case-insensitively; one header given twice with different values is `PARAM_DUPLICATE`.
 */
export type HeadersInput =
  | HeadersLike
  | ReadonlyMap<string, string>
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | ReadonlyArray<readonly [string, string]>;

/** Keys by the id messages name them by, as an object, a `Map` or `[id, key]` pairs. */
export type KeysById =
  | Readonly<Record<string, KeyMaterial>>
  | ReadonlyMap<string, KeyMaterial>
  | ReadonlyArray<readonly [string, KeyMaterial]>;

/**
 * What a `NotificationVerifier` checks signatures with — exactly one of:
 * - `publicKey`: the platform's RSA public key (SPKI, PKCS#1 or an X.509 certificate);
 * - `publicKeys`: several, by the id messages name them by — WeChat Pay v3 `Wechatpay-Serial`
 *   (certificate serial or `PUB_KEY_ID_…`), UnionPay `certId`; required for `wechat-v3`;
 * - `secret`: the shared secret (MD5, HMAC-SHA256; UnionPay `SHA256`; Standard Webhooks `whsec_…`);
 * - `secrets`: several shared secrets accepted at once during a rotation.
 */
export type NotificationCredential =
  | { publicKey: KeyMaterial; publicKeys?: never; secret?: never; secrets?: never }
  | { publicKeys: KeysById; publicKey?: never; secret?: never; secrets?: never }
  | { secret: KeyMaterial; publicKey?: never; publicKeys?: never; secrets?: never }
  | { secrets: readonly KeyMaterial[]; publicKey?: never; publicKeys?: never; secret?: never };

/** The settings of a `NotificationVerifier` besides its credential. */
export interface NotificationSettings {
  /** Default `paysign`. */
  profile?: Profile;
  /** The sign types accepted (default: only the profile's default for the credential); a message can only pick among them. */
  accept?: readonly SignType[];
  /** The key that decrypts payloads: the 32-byte APIv3 key (WeChat Pay v3). WeChat Pay v2 refunds use the `secret`. */
  decryptionKey?: KeyMaterial;
  /** Refuse notifications for another application (`app_id`; WeChat Pay `appid`; UnionPay `merId`). WeChat Pay v3 refund events carry no `appid`: with `appId` set they need `mchId` too (`APP_ID_ABSENT` otherwise). */
  appId?: string;
  /** Refuse notifications for another merchant (WeChat Pay v3 `mchid`, on every event; v2 `mch_id`). */
  mchId?: string;
  /** How far in the future a message may be dated, in whole seconds (default 300). */
  toleranceSecs?: number;
  /** How old a notification may be, and how long its id is remembered, in whole seconds (default 93600, 26 h). */
  maxAgeSecs?: number;
  /** Default `auto`: node:crypto for `verify` on Node (wasm elsewhere), WebCrypto for `verifyAsync`/`verifyRequest`. */
  provider?: Provider;
  /** How long a claim on a notification id lasts, in whole seconds (default 120, at most `maxAgeSecs`): a server that crashed while booking frees the id when it ends. */
  leaseSecs?: number;
  /**
   * Your own store of notification ids, shared by every instance (a database, Redis,
   * Workers KV), instead of the default in-memory one of this instance. It is claimed
   * in by `verifyAsync`/`verifyRequest`/`handle` after every other check passed; `verify`,
   * `complete` and `release` then throw (use the `Async` forms).
   */
  replayStore?: ReplayStore;
}

/** What a replay store answers to `claim`. */
export type ReplayClaim =
  /** The id is now claimed by the caller until the lease ends; `token` proves it on release. */
  | { status: 'claimed'; token: string }
  /** Another request holds a live claim: it is being booked. */
  | { status: 'in-progress' }
  /** Completed earlier: a duplicate. */
  | { status: 'done' };

/**
 * A store of notification ids for `NotificationVerifier`'s exactly-once flow (docs/replay.md).
 * Every operation must be atomic across instances (Redis `SET NX PX`, a Lua script, a SQL
 * upsert). A failure (a thrown error, a rejected promise) fails the verification with
 * `REPLAY_STORE_UNAVAILABLE`: answer the platform with a retry.
 */
export interface ReplayStore {
  /**
   * Claims `id` until `leaseUntil` (Unix seconds; `now` is the verifier's clock), unless
   * it is completed or claimed by a live lease. An expired claim may be taken over.
   */
  claim(id: string, now: number, leaseUntil: number): ReplayClaim | Promise<ReplayClaim>;
  /** Marks `id` completed (booked) until `keepUntil`: later copies are `done`. */
  complete(id: string, now: number, keepUntil: number): void | Promise<void>;
  /** Frees the claim `token` holds on `id` (booking failed); a claim taken over since is left alone. */
  release(id: string, token: string): void | Promise<void>;
}

/** Options of `new NotificationVerifier(...)`. */
export type NotificationVerifierOptions = NotificationCredential & NotificationSettings;

/** Per-call options of `verify` / `verifyAsync`. */
export interface VerifyNotificationOptions {
  /** The `Content-Type` header, if not among `headers` (otherwise the format is sniffed). */
  contentType?: string;
  /** The request's headers (required by `wechat-v3` and `standard-webhooks`). */
  headers?: HeadersInput;
  /** Refuse the notification (`AMOUNT_MISMATCH`) unless it is for exactly this many fen. */
  expectedAmount?: number;
  /** The time to check against, in Unix seconds; default `Date.now() / 1000`. */
  now?: number;
}

/** Options of `verifySignature`. */
export interface VerifySignatureOptions {
  contentType?: string;
  headers?: HeadersInput;
  /** Unix seconds; default `Date.now() / 1000`. */
  now?: number;
}

/** Per-call options of `verifyRequest`: the headers and body come from the request. */
export interface VerifyRequestOptions {
  expectedAmount?: number;
  now?: number;
}

/**
 * The final state a notification reports: paysign's names (Alipay `TRADE_SUCCESS` is
 * `SUCCESS`, `WAIT_BUYER_PAY` is `PENDING`, …), or the platform's own text for a state
 * this version does not know.
 */
export type TradeStatus = 'SUCCESS' | 'FAIL' | 'REVERSED' | 'REFUNDED' | 'CLOSED' | 'PENDING' | (string & {});

/**
 * A verified notification, in one shape for every profile. Amounts are integer fen (at
 * most `Number.MAX_SAFE_INTEGER`: a larger amount is refused with `AMOUNT_INVALID` rather
 * than rounded). Absent values are `null`.
 */
export interface Notification {
  readonly profile: Profile;
  /** The sign type that verified. */
  readonly signType: SignType;
  /** The id retries share (WeChat Pay v2: `transaction_id`), used for de-duplication. */
  readonly notifyId: string;
  readonly appId: string | null;
  /** The merchant's order number. */
  readonly outTradeNo: string;
  /** The platform's trade number. */
  readonly tradeNo: string | null;
  /** The bill paid (paysign only). */
  readonly billNo: string | null;
  readonly status: TradeStatus;
  /** The order amount in fen. */
  readonly totalAmount: number;
  /** The refunded amount in fen, for refund notifications. */
  readonly refundAmount: number | null;
  /** When it was sent, Unix seconds, when the profile carries it. */
  readonly notifyTime: number | null;
  /** The event, where the platform names one (`TRANSACTION.SUCCESS`, `REFUND`, a webhook's `type`). */
  readonly eventType: string | null;
  /** The authenticated payload when it is not the body: decrypted JSON/XML, or the Standard Webhooks body. */
  readonly payload: string | null;
  /** Booked before (completed): acknowledge it again, but do not book it twice. */
  readonly duplicate: boolean;
  /** Every field as received (decoded), the signature included. */
  readonly params: Readonly<Record<string, string>>;
}

/** What to answer the platform: HTTP status, `Content-Type` and the exact body it reads. */
export interface Acknowledgement {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** A verified synchronous response of the paysign gateway. */
export interface GatewayResponse {
  /** `SUCCESS` or an error code of docs/protocol.md. */
  readonly code: string;
  readonly message: string | null;
  /** `code === 'SUCCESS'`. */
  readonly success: boolean;
  readonly params: Readonly<Record<string, string>>;
}

/** Options of `verifyResponse`. */
export interface VerifyResponseOptions {
  /** The nonce of the request this response answers; the response must echo it. */
  requestNonce: string;
  contentType?: string;
  headers?: HeadersInput;
  /** Unix seconds; default `Date.now() / 1000`. */
  now?: number;
}

/** A fetch `Request` (typed structurally): its raw body and its headers. */
export interface RequestLike {
  arrayBuffer(): Promise<ArrayBuffer>;
  readonly headers: HeadersLike;
}

/**
 * Verifies a platform's asynchronous notifications for one merchant: configured once,
 * then `handle(rawBody, { headers }, book)` for each request, which books each
 * notification once (claim, book, complete; release when booking fails). Notification ids
 * live in memory, per instance, or in `options.replayStore` shared by every instance.
 */
export declare class NotificationVerifier implements Disposable {
  constructor(options: NotificationVerifierOptions);
  readonly profile: Profile;
  /** The accepted sign types; a message cannot choose another. */
  readonly accepted: readonly SignType[];
  /** Where the RSA step runs (`wasm` for digest sign types). */
  readonly provider: ProviderChoice;
  /** How long a claim on a notification id lasts, in seconds. */
  readonly leaseSecs: number;
  /**
   * Verifies a raw body and claims its id; returns the typed notification or throws
   * `PaysignError` (`NOTIFICATION_IN_PROGRESS` while another request books it). After
   * booking call `complete`, after a failed booking `release`; a `duplicate` needs neither.
   * Throws a `TypeError` with a `replayStore` (use `verifyAsync`).
   */
  verify(body: RawBody, options?: VerifyNotificationOptions): Notification;
  /** `verify` with the RSA step in the asynchronous provider (WebCrypto by default) and the claim in `replayStore`, if any. */
  verifyAsync(body: RawBody, options?: VerifyNotificationOptions): Promise<Notification>;
  /**
   * Verifies and claims, runs `handler` unless the notification is a duplicate, then
   * completes the claim; a handler that throws releases it and its error is rethrown.
   * Resolved: answer `acknowledge(true)`. Rejected: answer `acknowledge(false)`, except for
   * a `PaysignError` with `booked: true` (the handler succeeded, the store did not record it).
   */
  handle(body: RawBody, options: VerifyNotificationOptions | undefined, handler: (notification: Notification) => void | Promise<void>): Promise<Notification>;
  /** Records a claimed notification as booked; a duplicate needs no call. Throws a `TypeError` with a `replayStore` (use `completeAsync`). */
  complete(notification: Notification, options?: { now?: number }): void;
  /** `complete`, in the `replayStore` if there is one. */
  completeAsync(notification: Notification, options?: { now?: number }): Promise<void>;
  /** Frees the claim of a notification whose booking failed, so the platform's retry is handled. Throws a `TypeError` with a `replayStore` (use `releaseAsync`). */
  release(notification: Notification): void;
  /** `release`, in the `replayStore` if there is one. */
  releaseAsync(notification: Notification): Promise<void>;
  /** Throws `AMOUNT_MISMATCH` unless the notification is for `expectedAmount` fen (an amount known only after verification). */
  checkAmount(notification: Notification, expectedAmount: number): void;
  /** Verifies a fetch `Request` (Workers, Deno, Bun, Next.js route handlers): raw body bytes and headers. */
  verifyRequest(request: RequestLike, options?: VerifyRequestOptions): Promise<Notification>;
  /** Verifies a synchronous gateway response, which must echo the request's nonce. */
  verifyResponse(body: RawBody, options: VerifyResponseOptions): GatewayResponse;
  /**
   * Checks only the signature (header-signed profiles: with its time in the window) and
   * interprets nothing — e.g. WeChat Pay v3 API responses. The RSA step runs in wasm.
   */
  verifySignature(body: RawBody, options?: VerifySignatureOptions): VerifyResult;
  /** The answer the platform expects: `true` for booked (or a duplicate), `false` to ask for a retry. */
  acknowledge(ok: boolean, reason?: string): Acknowledgement;
  /** `acknowledge` as a fetch `Response`. */
  acknowledgeResponse(ok: boolean, reason?: string): Response;
  /**
   * The answer to a notification that `error` stopped (what `handle`/`verify` threw): a
   * refusal (`400`, the failure body) for a forged, expired, misaddressed or malformed one;
   * a retry for `NOTIFICATION_IN_PROGRESS`, `REPLAY_STORE_UNAVAILABLE` and any other error
   * (a failed booking); success for a `PaysignError` with `booked: true`.
   */
  acknowledgeError(error: unknown): Acknowledgement;
  /** `acknowledgeError` as a fetch `Response`. */
  acknowledgeErrorResponse(error: unknown): Response;
  /** Releases the keys and the replay store now; garbage collection does it otherwise. */
  free(): void;
  [Symbol.dispose](): void;
}

// ---- gateway requests ---------------------------------------------------------------------

/** An order, named by the merchant's number or the gateway's (exactly one). */
export type OrderRef = { outTradeNo: string; tradeNo?: never } | { tradeNo: string; outTradeNo?: never };

/** The fields of each gateway method (docs/protocol.md §7). Amounts are integer fen. */
export interface GatewayFields {
  'bill.items.list': { regionCode: string };
  'bill.query': { itemId: string; billNo: string };
  'order.create': {
    outTradeNo: string;
    itemId: string;
    billNo: string;
    /** Integer fen; for yuan text use `parseYuan('19.59')`. */
    totalAmount: number;
    notifyUrl: string;
    subject?: string;
    passbackParams?: string;
  };
  'order.pay': OrderRef & { payMethod?: 'BALANCE' | 'BANK_CARD' | 'UNIONPAY' };
  'order.query': OrderRef;
  'order.reverse': OrderRef;
  'order.refund': OrderRef & { outRefundNo: string; refundAmount: number; refundReason?: string };
  'statement.download': { billDate: string; type: 'TRANSACTION' | 'FUND' };
}

/** A gateway method name. */
export type GatewayMethod = keyof GatewayFields;

/** Options of `buildRequest`. */
export interface BuildRequestOptions {
  /** Your merchant app id. */
  appId: string;
  /** Signs the request (with its provider): `new Signer({ privateKey })`. */
  signer: Signer;
  /** Unix seconds; default `Math.floor(Date.now() / 1000)`. */
  timestamp?: number;
  /** 16–64 of `[A-Za-z0-9_-]`; default 32 random hex characters. */
  nonce?: string;
}

/** A signed gateway request, ready to send. */
export interface SignedRequest<M extends GatewayMethod = GatewayMethod> {
  readonly method: M;
  /** Where to POST it: `/gateway/v1/{method}`. */
  readonly path: `/gateway/v1/${M}`;
  /** Every field, `sign_type` and `sign` included, in wire names. */
  readonly params: Readonly<Record<string, string>>;
  /** The nonce sent; the response must echo it (`verifyResponse`). */
  readonly nonce: string;
  /** `application/x-www-form-urlencoded` body (UTF-8, percent-encoded once). */
  toForm(): string;
  /** A flat JSON object of strings. */
  toJson(): string;
  /** A query string (the form encoding). */
  toQuery(): string;
}

/** Builds a signed gateway request: fields validated by the core, envelope added, signed by `options.signer`. */
export declare function buildRequest<M extends GatewayMethod>(method: M, fields: GatewayFields[M], options: BuildRequestOptions): SignedRequest<M>;

/** `buildRequest`, signing with the signer's asynchronous provider (WebCrypto by default). */
export declare function buildRequestAsync<M extends GatewayMethod>(
  method: M,
  fields: GatewayFields[M],
  options: BuildRequestOptions,
): Promise<SignedRequest<M>>;

/** Yuan text (`'12.34'`, at most two decimals) to integer fen, exactly: `1234`. */
export declare function parseYuan(yuan: string): number;

/** Integer fen to yuan text with two decimals: `1234` → `'12.34'`. */
export declare function formatYuan(fen: number): string;

// ---- reconciliation ----------------------------------------------------------------------

/** Which merchant column holds which value (one record = one event). */
export interface ColumnMap {
  /** The merchant order number (`out_trade_no`), the matching key. */
  orderNo: string;
  /** The event amount (order amount; refund amount for refunds; net movement for a fund statement). */
  amount: string;
  amountUnit: 'yuan' | 'fen';
  /** The event time: RFC 3339, `YYYY-MM-DD HH:MM:SS` / `YYYYMMDDHHMMSS` (+08:00), or Unix seconds. */
  time: string;
  /** The local status column (without one, every record is a completed event). */
  status?: string;
  /** Local status → gateway status (`SUCCESS`, `PARTIALLY_REFUNDED`, `REFUNDED`, `REVERSED`, …). */
  statusMap?: Readonly<Record<string, string>> | ReadonlyMap<string, string> | ReadonlyArray<readonly [string, string]>;
  /** The gateway's `trade_no`, if recorded. */
  tradeNo?: string;
  /** The event kind (`PAY`, `REFUND`, `REVERSE`, `IN`, `OUT`), if recorded. */
  tradeType?: string;
}

/** Options of `reconcile` (docs/protocol.md §10). */
export interface ReconcileOptions {
  /** The statement's business day, `YYYY-MM-DD`. */
  billDate: string;
  /** Default `TRANSACTION`. */
  kind?: 'TRANSACTION' | 'FUND';
  /** The records' format; default `csv`. */
  format?: 'csv' | 'jsonl';
  /** Default: the statement's own column names, amounts in fen. */
  columns?: ColumnMap;
  /** Tolerance around the 23:30 cutoff, whole seconds (default 300). */
  cutoffToleranceSecs?: number;
  /** Stop at the first malformed row instead of reporting it. */
  stopOnError?: boolean;
  /** The `sha256` of the signed `statement.download` response: a mismatch refuses the statement. */
  expectedSha256?: string;
  /** The differences' format; default `csv`. */
  report?: 'csv' | 'jsonl';
  /** The next business day's statement, to match cutoff events. */
  nextStatement?: RawBody;
}

/** The classes of docs/protocol.md §10.3. */
export type ReconcileClass =
  | 'MATCHED'
  | 'CUTOFF_PENDING'
  | 'CUTOFF_MATCHED'
  | 'MISSING_LOCALLY'
  | 'MISSING_IN_STATEMENT'
  | 'STATUS_MISMATCH'
  | 'AMOUNT_MISMATCH';

/** A statement's checked trailer. */
export interface StatementTotals {
  readonly rows: number;
  readonly total_in: number;
  readonly total_out: number;
}

/** Count and net totals (fen) of one class. */
export interface ClassTally {
  readonly count: number;
  readonly statement_net: number;
  readonly local_net: number;
}

/** The core's report (`ReconcileReport::to_json`), amounts in fen. */
export interface ReconcileReport {
  readonly kind: 'TRANSACTION' | 'FUND';
  readonly bill_date: string;
  readonly statement: StatementTotals;
  readonly next_statement: StatementTotals | null;
  readonly record_rows: number;
  readonly unlisted_local_rows: number;
  readonly classes: Readonly<Record<ReconcileClass, ClassTally>>;
  readonly balance: {
    readonly statement_in: number;
    readonly statement_out: number;
    readonly local_in: number;
    readonly local_out: number;
    /** Statement minus local: positive is long (长款), negative short (短款). */
    readonly difference: number;
    readonly position: 'EVEN' | 'LONG' | 'SHORT';
  };
  readonly discrepancies: number;
  readonly row_error_count: number;
  readonly row_errors: ReadonlyArray<{ readonly source: 'statement' | 'records' | 'next_statement'; readonly line: number; readonly message: string }>;
  readonly peak_pending_rows: number;
  readonly clean: boolean;
}

/** What `reconcile` returns. */
export interface ReconcileResult {
  /** The human summary (what `paysign reconcile` prints). */
  readonly summary: string;
  readonly report: ReconcileReport;
  /** Every difference, as CSV (with a header line) or JSON lines. */
  readonly differences: string;
}

/** Reconciles the gateway's statement against the merchant's records, in memory. */
export declare function reconcile(statement: RawBody, records: RawBody, options: ReconcileOptions): ReconcileResult;

// ---- diagnosis ---------------------------------------------------------------------------

/**
 * The candidates `explain` tries: keys (`publicKey`, labelled `publicKeys`, or both) or
 * secrets (`secret`, `secrets`, or both), never keys and secrets together.
 */
export type ExplainCredential =
  | {
      /** One key to try (reported as `publicKey`). */
      publicKey: KeyMaterial;
      /** Labelled keys to try, each configured under its label as its id (WeChat Pay v3: the serial; UnionPay: the certId); the report names the one that verified. */
      publicKeys?: KeysById;
      secret?: never;
      secrets?: never;
    }
  | { publicKeys: KeysById; publicKey?: KeyMaterial; secret?: never; secrets?: never }
  | { secret: KeyMaterial; secrets?: readonly KeyMaterial[]; publicKey?: never; publicKeys?: never }
  | { secrets: readonly KeyMaterial[]; secret?: KeyMaterial; publicKey?: never; publicKeys?: never };

/**
 * Options of `explain`: the message's settings, the candidate credentials, and the options
 * your `NotificationVerifier` and its `verify()` take, so that `verified` is that verifier's
 * verdict (a message it refuses is never `verified`).
 */
export type ExplainOptions = ExplainSettings & ExplainCredential;

/** The settings of `explain` besides the candidates. */
export interface ExplainSettings {
  /** Default `paysign`. */
  profile?: Profile;
  /** Default `notification`. */
  message?: MessageKind;
  /** The sign types the receiver accepts (default: the profile's default that fits the credential). */
  signTypes?: readonly SignType[];
  /** WeChat Pay v3: the APIv3 key (without it the verifier refuses every notification: `NOT_DECRYPTED`). */
  decryptionKey?: KeyMaterial;
  contentType?: string;
  headers?: HeadersInput;
  /** As `NotificationSettings.appId`. */
  appId?: string;
  /** As `NotificationSettings.mchId`. */
  mchId?: string;
  /** As `NotificationSettings.toleranceSecs`. */
  toleranceSecs?: number;
  /** As `NotificationSettings.maxAgeSecs`. */
  maxAgeSecs?: number;
  /** As `verify()`'s `expectedAmount` (fen). */
  expectedAmount?: number;
  /** As `verify()`'s `now`: Unix seconds, default `Date.now() / 1000`. */
  now?: number;
}

/** One observation, with a stable code (`SIGN_TYPE_SIGNED`, `DOUBLE_ENCODED`, `WHITESPACE`, `CHARSET`, …). */
export interface Finding {
  readonly code: string;
  /** Plain words, with the fix. */
  readonly message: string;
}

/** What `explain` found. */
export interface Diagnosis {
  /** Whether a verifier configured with these options accepts the message: never `true` for one it refuses. */
  readonly verified: boolean;
  readonly signType: SignType | null;
  /** The canonical string the signature must cover under the configured rules. */
  readonly canonical: string | null;
  /** The label of the key that verified. */
  readonly matchingKey: string | null;
  /** Most important first; each cause was proven by a signature that verifies under it; the verifier's refusal of a correctly signed message comes with its own code. Messages name this package's options. */
  readonly findings: readonly Finding[];
}

/** Why does (or doesn't) a message verify? Checks it as the verifier would, then tries the common integration mistakes for real. */
export declare function explain(body: RawBody, options: ExplainOptions): Diagnosis;

// ---- test notifications ------------------------------------------------------------------

/** A trade outcome a test notification reports (where the platform notifies it). */
export type TestStatus = 'SUCCESS' | 'FAIL' | 'REVERSED' | 'REFUNDED' | 'CLOSED' | 'PENDING';

/**
 * Options of `testNotification`: the platform's credential (it signs) and the event.
 * Pass `privateKey` (RSA sign types) or `secret` (digest sign types, `whsec_…`).
 */
export interface TestNotificationOptions {
  /** Default `paysign`. */
  profile?: Profile;
  /** Default: the profile's default for the credential. */
  signType?: SignType;
  /** The platform's RSA private key (the side that sends notifications). */
  privateKey?: KeyMaterial;
  /** The platform's shared secret (WeChat Pay v2 API key, `whsec_…`, UnionPay secure key). */
  secret?: KeyMaterial;
  /** wechat-v3: the APIv3 key the resource is encrypted with. */
  apiV3Key?: KeyMaterial;
  /** Default `SUCCESS`; a status the platform never sends is `FIELD_INVALID`. */
  status?: TestStatus;
  /** The order amount in fen (integer). */
  amount: number;
  /** The application (`app_id`, WeChat `appid`, UnionPay `merId`). */
  appId: string;
  /** wechat-v2/v3: the merchant (`mch_id` / `mchid`). */
  mchId?: string;
  /** The merchant's order number. */
  outTradeNo: string;
  /** The platform's trade number. */
  tradeNo: string;
  /** The id retries share; default `${tradeNo}_1` where the platform carries one. */
  notifyId?: string;
  /** paysign (required there): the bill number. */
  billNo?: string;
  /** When it is sent, Unix seconds. */
  time: number;
  /** At least 32 of `[0-9a-f]`; default random. The same nonce and time give the same bytes. */
  nonce?: string;
  /** wechat-v3: the platform key's serial (`Wechatpay-Serial`); unionpay signMethod 01: the `certId`. */
  keyId?: string;
  /** paysign only: `form`, `json` or `xml` (the other platforms send their own). */
  format?: 'form' | 'json' | 'xml';
}

/** A signed test notification: what to POST to the merchant's endpoint. */
export interface TestNotification {
  /** Every header to send, `Content-Type` included (v3 `Wechatpay-*`, `webhook-*`). */
  headers: Record<string, string>;
  /** The `Content-Type` header. */
  contentType: string;
  /** The body, byte for byte. */
  body: string;
  /** The notification's id as the platform carries it (for de-duplication tests). */
  notifyId: string;
}

/**
 * A signed notification exactly as the platform sends it, for testing an endpoint offline
 * (the CLI's `paysign payload notification --profile P`). Runs in the tools module: on the
 * web entry, `await initTools()` first.
 */
export declare function testNotification(options: TestNotificationOptions): TestNotification;
