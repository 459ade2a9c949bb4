// Typings of `paysign/redis` (sdk-wasm/js/redis.js): replay stores on Redis for
// NotificationVerifier's `replayStore` option (docs/replay.md, "Redis").
import type { ReplayStore } from 'paysign';

/** Options of `redisReplayStore` and `upstashReplayStore`. */
export interface RedisReplayStoreOptions {
  /**
   * Put before every notification id to make its key (default `paysign:notify:`). One
   * prefix per merchant or application sharing a Redis, so that the ids of two merchants
   * never meet.
   */
  prefix?: string;
  /**
   * Default false: a Redis failure fails the verification (`REPLAY_STORE_UNAVAILABLE`, answer
   * with a retry). True treats a failed claim as claimed with nothing recorded, so the
   * handler runs, and ignores failed completes and releases: while Redis is down, a copy may
   * be booked twice. Only for a booking that is idempotent by itself.
   */
  failOpen?: boolean;
}

/** A node-redis client or pool (`createClient()`, `createClientPool()`), v4 and later. */
export interface NodeRedisClientLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** An ioredis client (`new Redis()`). */
export interface IoRedisClientLike {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/**
 * A replay store on a connected node-redis or ioredis client: claims with a Lua script
 * (EVALSHA, EVAL when the server lacks it), completes with `SET key done PX`, releases only
 * the claim of its token. Redis errors are thrown (the verifier answers
 * `REPLAY_STORE_UNAVAILABLE`); configure the client to fail fast while Redis is down (no
 * offline queue, a command timeout) so the platform is told to retry at once.
 */
export declare function redisReplayStore(client: NodeRedisClientLike | IoRedisClientLike, options?: RedisReplayStoreOptions): ReplayStore;

/** Options of `upstashReplayStore`: the database's REST URL and token. */
export interface UpstashReplayStoreOptions extends RedisReplayStoreOptions {
  url: string;
  token: string;
}

/** A replay store over the Upstash REST API, with `fetch` only (edge runtimes, workers). */
export declare function upstashReplayStore(options: UpstashReplayStoreOptions): ReplayStore;
