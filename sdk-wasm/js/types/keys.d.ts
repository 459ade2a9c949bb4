// paysign's typings, types/keys.d.ts (layout: index.d.ts): keys and secrets (api/keys.mjs).

/** Key or secret: text (PEM, bare base64, the secret itself) or bytes (DER, raw secret). */
export type KeyMaterial = string | Uint8Array;

/** Keys by the id messages name them by, as an object, a `Map` or `[id, key]` pairs. */
export type KeysById =
  | Readonly<Record<string, KeyMaterial>>
  | ReadonlyMap<string, KeyMaterial>
  | ReadonlyArray<readonly [string, KeyMaterial]>;
