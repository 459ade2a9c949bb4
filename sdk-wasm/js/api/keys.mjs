// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): keys and
// secrets as they cross into wasm.
//
// A key is text (PEM, bare base64) or bytes (DER); a secret is text or raw bytes. Both
// cross as bytes, which the core parses once per Signer or verifier. Imports nothing.

const encoder = new TextEncoder();
const HasBuffer = typeof Buffer === 'function' ? Buffer : null;

/** Bytes as base64 (Buffer where the runtime has it). */
export function toBase64(bytes) {
  if (HasBuffer !== null) return HasBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

// DER keys cross as base64 text: paysign-core 0.1 trims ASCII whitespace from key input
// before telling DER from text, which truncates a DER key whose last byte happens to be
// 0x09/0x0A/0x0C/0x0D/0x20 (about 2% of keys). Base64 has no such bytes. Remove once the
// core leaves DER untrimmed.
function derAsBase64(bytes) {
  const der = bytes.length > 0 && bytes[0] === 0x30 && !isHexText(bytes);
  return der ? encoder.encode(toBase64(bytes)) : bytes;
}

/** Hex text (an SM2 key as `04…`, a scalar starting with `0`) also starts with 0x30. */
function isHexText(bytes) {
  return bytes.every((b) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66) || b === 0x0a || b === 0x0d || b === 0x20);
}

/** A key (PEM or base64 text, or DER bytes) as the bytes wasm takes; `where` names it. */
export function keyBytes(value, where) {
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof Uint8Array) return derAsBase64(value);
  throw new TypeError(`${where} must be a string (PEM or base64) or a Uint8Array (got ${value === null ? 'null' : typeof value})`);
}

/** A secret (text or raw bytes) as bytes; `where` names it. */
export function secretBytes(value, where) {
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`${where} must be a string or a Uint8Array (got ${value === null ? 'null' : typeof value})`);
}

/** `options[name]` as bytes, or undefined: the secret as a secret, anything else as a key. */
export function material(options, name) {
  const value = options[name];
  if (value === undefined) return undefined;
  return name === 'secret' ? secretBytes(value, `options.${name}`) : keyBytes(value, `options.${name}`);
}

/** The one credential of a Signer or Verifier: `{ key, secret }`, at most one of them set. */
export function credentials(options, keyName) {
  const key = material(options, keyName);
  const secret = material(options, 'secret');
  if (key !== undefined && secret !== undefined) {
    throw new TypeError(`pass either options.${keyName} or options.secret, not both`);
  }
  return { key, secret };
}
