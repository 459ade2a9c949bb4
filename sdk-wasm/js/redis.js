// paysign/redis — replay stores on Redis for NotificationVerifier's exactly-once flow
// (docs/replay.md, "Redis"): several merchant servers share one store of notification ids.
//
// This file only declares. The claim and release rules are the Lua scripts in
// paysign-redis/lua/, the one source shared with the Rust store: scripts/build-wasm.sh
// embeds their text and appends the export line (`replayStores({ claim, release })`),
// producing pkg/redis.cjs and pkg/redis.mjs. Nothing here depends on a Redis client
// package: a client is recognised by the one method this needs, and Upstash is plain fetch.
'use strict';

const DEFAULT_PREFIX = 'paysign:notify:';
const STORE_OPTIONS = ['prefix', 'failOpen'];

/**
 * The replay stores over the text of the claim and release scripts.
 *
 * @param {{ claim: string, release: string }} scripts  paysign-redis/lua/{claim,release}.lua
 */
function replayStores(scripts) {
  const claimScript = luaScript(scripts.claim);
  const releaseScript = luaScript(scripts.release);

  /**
   * A replay store on a connected node-redis client (`createClient()`, v4 and later, or a
   * `createClientPool()`) or an ioredis client (`new Redis()`).
   * Options: `prefix` (default `paysign:notify:`, one per merchant or application),
   * `failOpen` (default false; see README "A shared replay store" before turning it on).
   */
  function redisReplayStore(client, options) {
    return replayStore(commandsOf(client), storeOptions(options, 'redisReplayStore', STORE_OPTIONS));
  }

  /**
   * A replay store over the Upstash REST API (`fetch` only: edge runtimes, workers):
   * `{ url, token, prefix?, failOpen? }`, the database's REST URL and token.
   */
  function upstashReplayStore(options) {
    if (options === undefined) throw new TypeError("upstashReplayStore needs options: { url, token } (the database's REST URL and token)");
    const opts = storeOptions(options, 'upstashReplayStore', ['url', 'token', ...STORE_OPTIONS]);
    return replayStore(upstashCommands(opts.url, opts.token), opts);
  }

  /**
   * The three operations of the replayStore contract (types/replay-store.d.ts, ReplayStore) over `send`,
   * which runs one Redis command (an array of strings) and resolves to its reply.
   */
  function replayStore(send, { prefix, failOpen }) {
    // Failing open trades safety for availability: a Redis failure is taken as "claimed" (the
    // handler runs, unrecorded) and a failed complete or release is forgotten.
    const orFailOpen = async (command, fallback) => {
      try {
        return await command();
      } catch (e) {
        if (failOpen) return fallback;
        throw e;
      }
    };
    const keyOf = (id) => {
      if (typeof id !== 'string' || id === '') throw new TypeError('a notification id must be a non-empty string');
      return prefix + id;
    };
    return {
      async claim(id, now, leaseUntil) {
        const key = keyOf(id);
        const leaseMs = millisecondsBetween(now, leaseUntil, 'claim(id, now, leaseUntil)');
        const token = globalThis.crypto.randomUUID();
        const answer = await orFailOpen(() => evalScript(send, claimScript, key, [token, leaseMs]), 'claimed');
        const status = textOf(answer);
        if (status === 'claimed') return { status, token };
        if (status === 'in-progress' || status === 'done') return { status };
        throw new TypeError(`the claim script answered ${describe(answer)}, not claimed, in-progress or done (does the client map replies to other types?)`);
      },
      async complete(id, now, keepUntil) {
        const key = keyOf(id);
        const keepMs = millisecondsBetween(now, keepUntil, 'complete(id, now, keepUntil)');
        const answer = await orFailOpen(() => send(['SET', key, 'done', 'PX', keepMs]), 'OK');
        if (textOf(answer) !== 'OK') throw new TypeError(`SET ${key} answered ${describe(answer)}, not OK`);
      },
      async release(id, token) {
        const key = keyOf(id);
        if (typeof token !== 'string' || token === '') throw new TypeError('release(id, token): token must be the claim token');
        // 0: the claim is no longer this token's (its lease ended and another took over, or
        // it was completed) and is left alone; that is the rule, not a failure.
        const answer = await orFailOpen(() => evalScript(send, releaseScript, key, [token]), 0);
        if (answer !== 0 && answer !== 1) throw new TypeError(`the release script answered ${describe(answer)}, not 0 or 1`);
      },
    };
  }

  return { redisReplayStore, upstashReplayStore };
}

/** A script's text and its SHA-1 (computed on first use, once), what EVALSHA names it by. */
function luaScript(text) {
  let sha = null;
  return {
    text,
    sha: () => (sha ??= sha1Hex(text)),
  };
}

async function sha1Hex(text) {
  const digest = await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Runs a script on one key by its SHA-1; a server that does not hold it yet gets its text. */
async function evalScript(send, script, key, args) {
  const sha = await script.sha();
  try {
    return await send(['EVALSHA', sha, '1', key, ...args]);
  } catch (e) {
    if (!/^NOSCRIPT\b/.test(String(e?.message))) throw e;
  }
  // A server's script cache is empty after a restart, a failover or SCRIPT FLUSH: EVAL
  // loads the script and runs it, and EVALSHA finds it from then on.
  return send(['EVAL', script.text, '1', key, ...args]);
}

/**
 * How to send one command with a client, recognised by its shape (no client package is
 * imported): ioredis has `call(command, ...args)`; node-redis clients and pools
 * `sendCommand(args)`. A node-redis cluster or sentinel also has `sendCommand`, with a
 * routing argument first, so those are named and refused rather than misused.
 */
function commandsOf(client) {
  if (client !== null && typeof client === 'object') {
    if (typeof client.call === 'function') return (args) => client.call(...args);
    if (typeof client.getSlotMaster === 'function' || typeof client.getMasterNode === 'function') {
      throw new TypeError('redisReplayStore: node-redis cluster and sentinel clients are not supported; pass a client (createClient) or an ioredis client');
    }
    if (typeof client.sendCommand === 'function') return (args) => client.sendCommand(args);
  }
  throw new TypeError('redisReplayStore(client): pass a connected node-redis client (createClient(), with sendCommand) or an ioredis client (with call)');
}

/** Commands over the Upstash REST API: a POST of the command as a JSON array. */
function upstashCommands(url, token) {
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new TypeError("upstashReplayStore: options.url must be the database's REST URL (https://…)");
  if (typeof token !== 'string' || token === '') throw new TypeError("upstashReplayStore: options.token must be the database's REST token");
  if (typeof fetch !== 'function') throw new TypeError('upstashReplayStore needs fetch, which this runtime lacks');
  return async (args) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(args),
    });
    const text = await response.text();
    let answer;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new Error(`Upstash answered HTTP ${response.status} with no JSON: ${text.slice(0, 200)}`);
    }
    // A Redis error (NOSCRIPT among them) comes back as { error } with HTTP 400.
    if (typeof answer?.error === 'string') throw new Error(answer.error);
    if (!response.ok || answer === null || typeof answer !== 'object' || !('result' in answer)) {
      throw new Error(`Upstash answered HTTP ${response.status}: ${text.slice(0, 200)}`);
    }
    return answer.result;
  };
}

/** The options of a store, checked: a misspelt option is a TypeError, never ignored. */
function storeOptions(options, what, allowed) {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${what}: options must be an object`);
  const unknown = Object.keys(options).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new TypeError(`${what}: unknown option ${JSON.stringify(unknown[0])} (expected one of ${allowed.join(', ')})`);
  const { prefix = DEFAULT_PREFIX, failOpen = false } = options;
  if (typeof prefix !== 'string' || prefix === '') throw new TypeError(`${what}: options.prefix must be a non-empty string (one per merchant or application)`);
  if (typeof failOpen !== 'boolean') throw new TypeError(`${what}: options.failOpen must be a boolean`);
  return { ...options, prefix, failOpen };
}

/**
 * `until - now` in milliseconds, as a Redis argument: the verifier gives whole Unix seconds
 * from its own clock, and Redis expires the key by its own, so only the difference travels.
 */
function millisecondsBetween(now, until, what) {
  const seconds = until - now;
  if (!Number.isSafeInteger(now) || !Number.isSafeInteger(until) || seconds <= 0) {
    throw new TypeError(`${what}: times must be whole Unix seconds, the second after the first (got ${now} and ${until})`);
  }
  return String(seconds * 1000);
}

/** A status reply as text: clients decode it to a string, or hand out bytes when told to. */
function textOf(reply) {
  return reply instanceof Uint8Array ? new TextDecoder().decode(reply) : reply;
}

function describe(reply) {
  return typeof reply === 'bigint' ? String(reply) : (JSON.stringify(reply) ?? String(reply));
}
