// paysign's typings, types/verifier.d.ts (layout: index.d.ts): Verifier, for `k=v` messages
// (api/verifier.mjs).
/// <reference lib="esnext.disposable" />
import type { KeyMaterial } from './keys.js';
import type { CanonicalOptions, ParamsShape } from './params.js';
import type { MessageKind, Profile, SignType } from './profiles.js';
import type { Provider, ProviderChoice } from './providers.js';

/**
 * What a `Verifier` checks with: the sender's `publicKey` (RSA, RSA2; SM2) or the `secret`
 * (MD5, HMAC-SHA256, SHA256, SM3) — exactly one.
 */
export type VerifierCredential =
  | {
      /** The sender's public key: RSA (SPKI, PKCS#1) or SM2 (SPKI, or `04‖X‖Y` hex), or an X.509 certificate, as PEM, bare base64 or DER bytes. */
      publicKey: KeyMaterial;
      secret?: never;
    }
  | {
      /** Shared secret for MD5 / HMAC-SHA256 / SHA256 / SM3. */
      secret: KeyMaterial;
      publicKey?: never;
    };

/**
 * The sign types a `Verifier` accepts: `signType` (one) or `signTypes` (several), not both.
 * Default: only the profile's default for the credential (as `SignerSettings.signType`),
 * never every type that fits it: a message cannot pick a weaker one.
 */
export type VerifierSignTypes =
  | {
      /** The one sign type accepted. */
      signType?: SignType;
      signTypes?: never;
    }
  | {
      /** Several accepted sign types; the message's `sign_type` picks among them only. */
      signTypes: readonly SignType[];
      signType?: never;
    };

/** Options of `Verifier` and `verify`: settings, one credential, the accepted sign types. */
export type VerifierOptions = VerifierSettings & VerifierCredential & VerifierSignTypes;

/** The settings of `Verifier` and `verify` besides the credential and the sign types. */
export interface VerifierSettings extends CanonicalOptions {
  /** Default `auto`. */
  provider?: Provider;
}

/** A successful verification. A failed one throws `PaysignError`; `valid` is never `false`. */
export interface VerifyResult {
  readonly valid: true;
  /** The sign type the message was verified with. */
  readonly signType: SignType;
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
