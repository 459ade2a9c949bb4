// paysign's typings, types/explain.d.ts (layout: index.d.ts): diagnosis (api/explain.mjs).
import type { HeadersInput, RawBody } from './http.js';
import type { KeyMaterial, KeysById } from './keys.js';
import type { MessageKind, Profile, SignType } from './profiles.js';

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
