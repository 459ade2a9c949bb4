// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): amounts,
// yuan text to integer fen and back, exactly, in the core (no floating point).
// Imports options.mjs.
import { fenOf } from './options.mjs';

/** parseYuan and formatYuan over the modules of one entry point (createApi's context: `runtime`). */
export function amountFunctions({ runtime }) {
  /** Yuan text (`'12.34'`, at most two decimals) to integer fen, exactly (no floating point). */
  function parseYuan(text) {
    const wasm = runtime.bindings();
    if (typeof text !== 'string') {
      throw new TypeError(`parseYuan takes yuan as text, e.g. '12.34' (got ${text === null ? 'null' : typeof text}): binary floating point cannot hold most yuan amounts exactly`);
    }
    return runtime.call(() => wasm.parseYuan(text));
  }

  /** Integer fen to yuan text with two decimals (`1234` → `'12.34'`). */
  function formatYuan(fen) {
    const wasm = runtime.bindings();
    fenOf(fen, 'formatYuan(fen): fen');
    return runtime.call(() => wasm.formatYuan(fen));
  }

  return { parseYuan, formatYuan };
}
