// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): prepared
// RSA checks, which wasm writes into its output buffer for a host provider to verify.
//
// Two layouts, one per verifier (both start with the sign type: 1 = RSA, 2 = RSA2):
//   Verifier (WasmVerifier.prepare, sdk-wasm/src/verifier.rs):
//     [sign type][signature: the verifier's signatureLength][canonical UTF-8]
//   NotificationVerifier (sdk-wasm/src/notification.rs):
//     [sign type][key index: u32 LE][signature length: u32 LE][signature][signed bytes]
// The views returned point into the buffer given: no copies. Imports nothing.

const PREPARED_SIGN_TYPES = [null, 'RSA', 'RSA2'];

/** The little-endian u32 at `at` of a byte view: how wasm writes lengths and indexes. */
export function u32At(bytes, at) {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/** The sign type of a check in either layout. */
export function checkSignType(bytes) {
  return PREPARED_SIGN_TYPES[bytes[0]];
}

/** A Verifier's check in `bytes[0, length)`, whose signatures are `signatureLength` bytes. */
export function verifierCheck(bytes, length, signatureLength) {
  const end = 1 + signatureLength;
  return {
    signType: checkSignType(bytes),
    signature: bytes.subarray(1, end),
    signed: bytes.subarray(end, length),
  };
}

/** The key index of a NotificationVerifier's check (its keys are `keyDer(index)`). */
export function checkKeyIndex(bytes) {
  return u32At(bytes, 1);
}

/** A NotificationVerifier's check in `bytes[0, length)`: `{ signType, index, signature, signed }`. */
export function notificationCheck(bytes, length) {
  const signatureLength = u32At(bytes, 5);
  const end = 9 + signatureLength;
  return {
    signType: checkSignType(bytes),
    index: checkKeyIndex(bytes),
    signature: bytes.subarray(9, end),
    signed: bytes.subarray(end, length),
  };
}

/** Whether `view[0, length)` holds exactly the bytes of `copy` (null: nothing kept). */
export function sameBytes(view, length, copy) {
  if (copy === null || length !== copy.length) return false;
  for (let i = 0; i < length; i++) if (view[i] !== copy[i]) return false;
  return true;
}
