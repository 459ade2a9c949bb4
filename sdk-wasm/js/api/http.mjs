// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): a message
// as received over HTTP — its raw body and its headers — in the forms the core takes.
//
// Bodies are bytes (the signature covers the exact bytes received); headers a flat
// [name₀, value₀, name₁, value₁, …] list, written into wasm memory by flat.mjs. What
// repeated headers mean is the core's decision. Imports nothing.

const encoder = new TextEncoder();

/** A raw body (text, bytes, an ArrayBuffer or a view) as a Uint8Array; `what` names it. */
export function bodyBytes(body, what) {
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  const got = body === null ? 'null' : typeof body;
  const hint =
    what === 'body' && got === 'object'
      ? ': an object is a body some framework parsed already, and a signature covers the exact bytes received — read the raw body instead (express.raw(), request.arrayBuffer(), the chunks of a node:http request)'
      : '';
  throw new TypeError(`${what} must be a string, a Uint8Array (Buffer) or an ArrayBuffer (got ${got})${hint}`);
}

/**
 * HTTP headers as a flat [name₀, value₀, name₁, value₁, …] list, from a fetch Headers or a
 * Map, node:http's req.headers (array values repeat the header; undefined is skipped), or
 * an array of [name, value] pairs.
 */
export function headerList(headers, where) {
  const list = [];
  if (headers === undefined) return list;
  if (headers === null || typeof headers !== 'object') {
    throw new TypeError(`${where} must be a Headers, a Map, an object or an array of [name, value] pairs (got ${headers === null ? 'null' : typeof headers})`);
  }
  const add = (name, value) => {
    if (typeof name !== 'string') throw new TypeError(`${where}: header names must be strings (got ${typeof name})`);
    if (typeof value !== 'string') throw new TypeError(`${where}: header ${JSON.stringify(name)} must be a string (got ${value === null ? 'null' : typeof value})`);
    list.push(name, value);
  };
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i++) {
      const pair = headers[i];
      if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError(`${where}[${i}] must be a [name, value] pair`);
      add(pair[0], pair[1]);
    }
  } else if (typeof headers.forEach === 'function' && typeof headers.get === 'function') {
    headers.forEach((value, name) => add(name, value));
  } else {
    for (const name of Object.keys(headers)) {
      const value = headers[name];
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const one of value) add(name, one);
      else add(name, value);
    }
  }
  return list;
}
