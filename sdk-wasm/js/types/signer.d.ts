// paysign's typings, types/signer.d.ts (layout: index.d.ts): Signer, and the requests and
// messages it signs in headers (api/signer.mjs, api/header-request.mjs).
/// <reference lib="esnext.disposable" />
import type { KeyMaterial } from './keys.js';
import type { CanonicalOptions, ParamsShape, SignedParams } from './params.js';
import type { MessageKind, Profile, SignType } from './profiles.js';
import type { Provider, ProviderChoice } from './providers.js';

/**
 * What a `Signer` signs with: `privateKey` (RSA, RSA2; an SM2 key for SM2) or `secret`
 * (MD5, HMAC-SHA256, SHA256, SM3) — exactly one.
 */
export type SignerCredential =
  | {
      /** Private key: RSA (PKCS#8 or PKCS#1) or SM2 (PKCS#8, SEC1, or the 64-digit hex scalar), as PEM, bare base64 or DER bytes (wechat-v3: the merchant's API key, apiclient_key.pem). */
      privateKey: KeyMaterial;
      secret?: never;
    }
  | {
      /** Shared secret for MD5 / HMAC-SHA256 / SHA256 / SM3 (standard-webhooks: the `whsec_…` secret as shown). */
      secret: KeyMaterial;
      privateKey?: never;
    };

/** Options of `Signer` and `sign`: the settings and one credential (`SignerCredential`). */
export type SignerOptions = SignerSettings & SignerCredential;

/** The settings of `Signer` and `sign` besides the credential. */
export interface SignerSettings extends CanonicalOptions {
  /**
   * Default: the profile's default for the credential (docs/profiles.md): with `privateKey`
   * RSA2; with `secret` HMAC-SHA256 (paysign, standard-webhooks), MD5 (alipay, wechat-v2),
   * SHA256 (unionpay).
   */
  signType?: SignType;
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
