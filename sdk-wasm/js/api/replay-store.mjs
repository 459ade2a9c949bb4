// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): a caller's
// own replay store (NotificationVerifier's `replayStore` option, docs/replay.md), checked.
//
// The store's contract is in types/replay-store.d.ts (ReplayStore); NotificationVerifier
// claims, completes and releases in it. A store that answers outside the contract is a
// programming error (TypeError); one that fails is REPLAY_STORE_UNAVAILABLE, which asks the
// platform for a retry. Imports errors.mjs.
import { PaysignError } from './errors.mjs';

/** `options.replayStore`: null (the verifier's own store in memory) or the caller's store. */
export function replayStoreOf(value) {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object' || ['claim', 'complete', 'release'].some((m) => typeof value[m] !== 'function')) {
    throw new TypeError('options.replayStore must be an object with claim(id, now, leaseUntil), complete(id, now, keepUntil) and release(id, token) methods');
  }
  return value;
}

/** What a caller's store answered to claim(), checked. */
export function claimOf(answer) {
  const status = answer !== null && typeof answer === 'object' ? answer.status : undefined;
  if (status === 'claimed' && typeof answer.token === 'string' && answer.token !== '') return answer;
  if (status === 'in-progress' || status === 'done') return answer;
  throw new TypeError("replayStore.claim must return (or resolve to) { status: 'claimed', token }, { status: 'in-progress' } or { status: 'done' }");
}

/**
 * A failure of the caller's store, as the PaysignError REPLAY_STORE_UNAVAILABLE that
 * `wasm` (the runtime bindings) makes; its own TypeErrors, which are bugs in the store, and
 * PaysignErrors pass through.
 */
export function storeFailure(e, wasm) {
  if (e instanceof PaysignError || e instanceof TypeError) return e;
  const error = wasm.WasmNotificationVerifier.replayError('', String(e?.message ?? e));
  error.cause = e;
  return error;
}
