// paysign's typings, types/explain.d.ts (layout: index.d.ts): diagnosis (api/explain.mjs).
import type { HeadersInput, RawBody } from './http.js';
import type { KeyMaterial, KeysById } from './keys.js';
import type { MessageKind, Profile, SignType } from './profiles.js';

/** Options of `explain`: the message's settings and the candidate credentials. */
export interface ExplainOptions {
  /** Default `paysign`. */
  profile?: Profile;
  /** Default `notification`. */
  message?: MessageKind;
  /** The sign types the receiver accepts (default: the profile's default that fits the credential). */
  signTypes?: readonly SignType[];
  /** One key to try (reported as `publicKey`). */
  publicKey?: KeyMaterial;
  /** Labelled keys to try (WeChat Pay v3: labelled by serial); the report names the one that verified. */
  publicKeys?: KeysById;
  secret?: KeyMaterial;
  secrets?: readonly KeyMaterial[];
  contentType?: string;
  headers?: HeadersInput;
}

/** One observation, with a stable code (`SIGN_TYPE_SIGNED`, `DOUBLE_ENCODED`, `WHITESPACE`, `CHARSET`, …). */
export interface Finding {
  readonly code: string;
  /** Plain words, with the fix. */
  readonly message: string;
}

/** What `explain` found. */
export interface Diagnosis {
  /** Whether the message verifies as configured. */
  readonly verified: boolean;
  readonly signType: SignType | null;
  /** The canonical string the signature must cover under the configured rules. */
  readonly canonical: string | null;
  /** The label of the key that verified. */
  readonly matchingKey: string | null;
  /** Most important first; each finding was proven by a signature that verifies under it. */
  readonly findings: readonly Finding[];
}

/** Why does (or doesn't) a message verify? Tries the common integration mistakes for real. */
export declare function explain(body: RawBody, options: ExplainOptions): Diagnosis;
