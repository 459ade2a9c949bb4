// paysign's typings, types/test-notification.d.ts (layout: index.d.ts): test notifications
// (api/test-notification.mjs).
import type { KeyMaterial } from './keys.js';
import type { Profile, SignType } from './profiles.js';

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
