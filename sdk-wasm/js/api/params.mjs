// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): parameters.
//
// The four kinds of message parameters a caller may pass (an object, a Map, a
// URLSearchParams, an array of [name, value] pairs): what a wrong value is told, and the
// signed copy of the same kind. Writing them into wasm memory is flat.mjs. Imports nothing.

/** The TypeError for a name or value that is not a string (`where` names it). */
export function badValue(where, value) {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return new TypeError(
    `${where} must be a string (got ${got}); paysign signs exact text, so convert numbers yourself, e.g. String(1959)`,
  );
}

/**
 * The signed copy of `params`, of the same kind, with `fields` ([name, value] pairs) set as
 * the core sets them: an existing name keeps its place, a new one is appended.
 */
export function withFields(params, fields) {
  if (typeof URLSearchParams === 'function' && params instanceof URLSearchParams) {
    const out = new URLSearchParams(params);
    for (const [k, v] of fields) out.set(k, v);
    return out;
  }
  if (params instanceof Map) {
    const out = new Map(params);
    for (const [k, v] of fields) out.set(k, v);
    return out;
  }
  if (Array.isArray(params)) {
    const out = params.map((pair) => [pair[0], pair[1]]);
    for (const [k, v] of fields) {
      const at = out.findIndex((pair) => pair[0] === k);
      if (at >= 0) out[at][1] = v;
      else out.push([k, v]);
    }
    return out;
  }
  const out = { ...params };
  for (const [k, v] of fields) out[k] = v;
  return out;
}
