// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): the input
// and output buffers in one wasm module's memory (the JavaScript side of sdk-wasm/src/flat.rs).
//
// Every name and value concatenated, and their UTF-16 lengths, written straight into two
// input buffers in wasm memory: one crossing per call instead of one per property, and no
// allocation or copy to get there. A write returns the counts that the wasm call made right
// after it takes (`{ lens, bytes }`). Results that wasm writes into its output buffer
// (WasmVerifier.prepare, a notification's prepared RSA check) are read in place, and so are
// the lengths of a result that crosses as pieces of one string (a verified notification).
//
// One FlatBuffers belongs to one wasm module (its WasmModule in wasm-modules.mjs makes it):
// the buffers are that module's memory. Imports params.mjs, prepared.mjs.
import { badValue } from './params.mjs';
import { u32At } from './prepared.mjs';

const encoder = new TextEncoder();
// The length of an absent piece (flat.rs, ABSENT_PIECE).
const ABSENT_PIECE = 0xffffffff;

export class FlatBuffers {
  #wasm;
  #lensBuffer = new Uint32Array(64);
  #memory = null;
  #memoryBuffer = null;
  #lensAddress = 0;
  #lensView = null; // Uint32Array over the wasm lengths buffer, as long as #lensBuffer
  #bytesAddress = 0;
  #bytesView = null; // Uint8Array over the wasm bytes buffer
  #bytesCapacity = 0;
  #outputAddress = -1;
  #outputBuffer = null;
  #outputView = null;

  /** @param {object} wasm  the wasm-bindgen module whose buffers these are */
  constructor(wasm) {
    this.#wasm = wasm;
  }

  /**
   * Writes message parameters (an object, a Map, a URLSearchParams or [name, value] pairs):
   * `{ lens, bytes }` for the wasm call that follows.
   */
  params(params) {
    if (params === null || typeof params !== 'object') {
      throw new TypeError(
        `params must be an object, a Map, a URLSearchParams or an array of [name, value] pairs (got ${params === null ? 'null' : typeof params})`,
      );
    }
    let joined = '';
    let n = 0;
    if (typeof URLSearchParams === 'function' && params instanceof URLSearchParams) {
      for (const [key, value] of params) {
        if (n + 2 > this.#lensBuffer.length) this.#growLens();
        this.#lensBuffer[n++] = key.length;
        this.#lensBuffer[n++] = value.length;
        joined += key;
        joined += value;
      }
    } else if (params instanceof Map || Array.isArray(params)) {
      const isMap = !Array.isArray(params);
      let i = 0;
      for (const pair of params) {
        if (!isMap && (!Array.isArray(pair) || pair.length !== 2)) {
          throw new TypeError(`params[${i}] must be a [name, value] pair`);
        }
        const key = pair[0];
        const value = pair[1];
        if (typeof key !== 'string') throw badValue(isMap ? 'a Map key' : `params[${i}][0]`, key);
        if (typeof value !== 'string') throw badValue(`parameter ${JSON.stringify(key)}`, value);
        if (n + 2 > this.#lensBuffer.length) this.#growLens();
        this.#lensBuffer[n++] = key.length;
        this.#lensBuffer[n++] = value.length;
        joined += key;
        joined += value;
        i++;
      }
    } else {
      const keys = Object.keys(params);
      while (keys.length * 2 > this.#lensBuffer.length) this.#growLens();
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        const value = params[key];
        if (typeof value !== 'string') throw badValue(`parameter ${JSON.stringify(key)}`, value);
        this.#lensBuffer[n++] = key.length;
        this.#lensBuffer[n++] = value.length;
        joined += key;
        joined += value;
      }
    }
    return this.#write(joined, n);
  }

  /** Writes a flat list of strings (HTTP headers, see http.mjs): `{ lens, bytes }`. */
  list(list) {
    while (list.length > this.#lensBuffer.length) this.#growLens();
    let joined = '';
    for (let i = 0; i < list.length; i++) {
      this.#lensBuffer[i] = list[i].length;
      joined += list[i];
    }
    return this.#write(joined, list.length);
  }

  /** The output buffer, at least `length` bytes of it, read in place (valid until the next wasm call). */
  output(length) {
    const address = this.#wasm.outputAddress();
    const buffer = this.#memoryOf().buffer;
    if (address !== this.#outputAddress || this.#outputBuffer !== buffer || this.#outputView.length < length) {
      this.#outputAddress = address;
      this.#outputBuffer = buffer;
      this.#outputView = new Uint8Array(buffer, address, Math.max(length, 1024));
    }
    return this.#outputView;
  }

  /**
   * The pieces of a result wasm returned as `text`, their count and UTF-16 lengths in the
   * output buffer (flat.rs, put_pieces): an array of strings, null where absent. Read right
   * after the call that returned `text`, before any other.
   */
  pieces(text) {
    const count = u32At(this.output(4), 0);
    const lengths = this.output(4 + 4 * count);
    const pieces = new Array(count);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const length = u32At(lengths, 4 + 4 * i);
      if (length === ABSENT_PIECE) {
        pieces[i] = null;
      } else {
        pieces[i] = text.slice(at, at + length);
        at += length;
      }
    }
    if (at !== text.length) throw new Error('paysign internal error: a result and its lengths disagree');
    return pieces;
  }

  #growLens() {
    const bigger = new Uint32Array(this.#lensBuffer.length * 2);
    bigger.set(this.#lensBuffer);
    this.#lensBuffer = bigger;
  }

  #memoryOf() {
    if (this.#memory === null) this.#memory = this.#wasm.inputMemory();
    return this.#memory;
  }

  #write(joined, n) {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const maxBytes = joined.length * 3;
    let moved = false;
    if (this.#lensView === null || this.#lensView.length !== this.#lensBuffer.length) {
      this.#lensAddress = this.#wasm.reserveLens(this.#lensBuffer.length);
      moved = true;
    }
    if (maxBytes > this.#bytesCapacity || this.#bytesAddress === 0) {
      this.#bytesCapacity = Math.max(maxBytes, 4096);
      this.#bytesAddress = this.#wasm.reserveBytes(this.#bytesCapacity);
      moved = true;
    }
    if (this.#lensAddress === 0 || this.#bytesAddress === 0) throw new Error('paysign internal error: the input buffers are unavailable');
    const memory = this.#memoryOf();
    // Any wasm call may grow the memory, which replaces its ArrayBuffer (and our views).
    if (moved || this.#memoryBuffer !== memory.buffer) {
      this.#memoryBuffer = memory.buffer;
      this.#lensView = new Uint32Array(this.#memoryBuffer, this.#lensAddress, this.#lensBuffer.length);
      this.#bytesView = new Uint8Array(this.#memoryBuffer, this.#bytesAddress, this.#bytesCapacity);
    }
    this.#lensView.set(this.#lensBuffer);
    return { lens: n, bytes: encoder.encodeInto(joined, this.#bytesView).written };
  }
}
