// paysign's typings, types/replay-store.d.ts (layout: index.d.ts): a caller's own store of
// notification ids (api/replay-store.mjs, docs/replay.md).

/** What a replay store answers to `claim`. */
export type ReplayClaim =
  /** The id is now claimed by the caller until the lease ends; `token` proves it on release. */
  | { status: 'claimed'; token: string }
  /** Another request holds a live claim: it is being booked. */
  | { status: 'in-progress' }
  /** Completed earlier: a duplicate. */
  | { status: 'done' };

/**
 * A store of notification ids for `NotificationVerifier`'s exactly-once flow (docs/replay.md).
 * Every operation must be atomic across instances (Redis `SET NX PX`, a Lua script, a SQL
 * upsert). A failure (a thrown error, a rejected promise) fails the verification with
 * `REPLAY_STORE_UNAVAILABLE`: answer the platform with a retry.
 */
export interface ReplayStore {
  /**
   * Claims `id` until `leaseUntil` (Unix seconds; `now` is the verifier's clock), unless
   * it is completed or claimed by a live lease. An expired claim may be taken over.
   */
  claim(id: string, now: number, leaseUntil: number): ReplayClaim | Promise<ReplayClaim>;
  /** Marks `id` completed (booked) until `keepUntil`: later copies are `done`. */
  complete(id: string, now: number, keepUntil: number): void | Promise<void>;
  /** Frees the claim `token` holds on `id` (booking failed); a claim taken over since is left alone. */
  release(id: string, token: string): void | Promise<void>;
}
