// paysign's typings, types/profiles.d.ts (layout: index.d.ts): the names every part shares:
// profiles, message kinds, sign types.

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

/**
 * Signature algorithm, as the platforms name it. MD5 is legacy and weak. `SM2` (SM2 with
 * SM3, user id 1234567812345678; with an SM2 `privateKey`/`publicKey`) and `SM3` (UnionPay
 * `signMethod` 12, with the `secret`) are 国密: an object using them is built in the
 * package's SM module (on Node loaded then; on the web entry `await initSm()` first).
 */
export type SignType = 'MD5' | 'HMAC-SHA256' | 'SHA256' | 'RSA' | 'RSA2' | 'SM3' | 'SM2';
