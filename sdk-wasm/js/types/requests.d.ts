// paysign's typings, types/requests.d.ts (layout: index.d.ts): signed requests to the
// paysign gateway (api/requests.mjs).
import type { Signer } from './signer.js';

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
  'statement.download': { billDate: string; type: 'TRANSACTION' | 'FUND' | 'COLLECTION' };
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
