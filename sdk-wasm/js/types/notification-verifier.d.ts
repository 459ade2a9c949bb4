// paysign's typings, types/notification-verifier.d.ts (layout: index.d.ts):
// NotificationVerifier, its options, and what it returns (api/notification-verifier.mjs).
/// <reference lib="esnext.disposable" />
import type { HeadersInput, RawBody, RequestLike } from './http.js';
import type { KeyMaterial, KeysById } from './keys.js';
import type { Profile, SignType } from './profiles.js';
import type { Provider, ProviderChoice } from './providers.js';
import type { ReplayStore } from './replay-store.js';
import type { VerifyResult } from './verifier.js';

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
  /**
   * A verifier of signatures only, for `verifySignature` (WeChat Pay v3 API responses):
   * it needs no `decryptionKey`. Without it, `wechat-v3` without a `decryptionKey` throws
   * `CREDENTIAL_MISMATCH` when constructed, not at the first notification.
   */
  signaturesOnly?: boolean;
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
