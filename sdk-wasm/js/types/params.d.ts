// paysign's typings, types/params.d.ts (layout: index.d.ts): message parameters, as passed
// and as signed (api/params.mjs, api/flat.mjs).
// URLSearchParams comes from the DOM library or @types/node, which every TypeScript user of
// this package has (browsers and bundlers use the former, Node projects the latter).
import type { MessageKind, Profile } from './profiles.js';

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

/** Options that decide the canonical string. */
export interface CanonicalOptions {
  /** Default `paysign`. */
  profile?: Profile;
  /** Default `request` for signing and `canonicalize`, `notification` for verifying. */
  message?: MessageKind;
}
