// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): errors.
//
// The one error class of the package. The wasm modules throw it too: each entry point hands
// it to them (`setErrorClass`), and the framework adapters import it from here, so every
// `instanceof PaysignError` in one runtime meets one class. Imports nothing.

/**
 * The one error type the package throws for message, key and configuration problems.
 * `code` is the core's stable code (`Error::code()` in paysign-core), e.g.
 * `SIGNATURE_MISMATCH`. Wrong JavaScript types throw `TypeError` instead.
 */
export class PaysignError extends Error {
  /**
   * @param {string} message
   * @param {string} code
   */
  constructor(message, code) {
    super(message);
    this.name = 'PaysignError';
    this.code = code;
  }
}
