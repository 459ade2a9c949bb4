// paysign's typings, types/http.d.ts (layout: index.d.ts): a message as received over HTTP:
// raw bodies, headers, fetch Requests (api/http.mjs).

/** A raw HTTP body exactly as received: text, bytes (a Node `Buffer` is a `Uint8Array`), or an `ArrayBuffer`. */
export type RawBody = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** A fetch `Headers` (typed structurally: any object with `forEach` and `get`). */
export interface HeadersLike {
  forEach(callback: (value: string, name: string) => void): void;
  get(name: string): string | null;
}

/**
 * HTTP headers: a fetch `Headers`, a `Map`, node:http's `req.headers` (array values repeat
 * the header, `undefined` ones are skipped), or `[name, value]` pairs. Names compare
 * case-insensitively; one header given twice with different values is `PARAM_DUPLICATE`.
 */
export type HeadersInput =
  | HeadersLike
  | ReadonlyMap<string, string>
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | ReadonlyArray<readonly [string, string]>;

/** A fetch `Request` (typed structurally): its raw body and its headers. */
export interface RequestLike {
  arrayBuffer(): Promise<ArrayBuffer>;
  readonly headers: HeadersLike;
}
