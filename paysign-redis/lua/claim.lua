-- Claims a notification id for its lease (docs/replay.md): the one source of this rule for
-- the Rust store (paysign-redis) and the npm adapters (paysign/redis).
-- KEYS[1]: the namespaced key; ARGV[1]: the claim token; ARGV[2]: the lease in milliseconds.
-- Returns 'claimed' (the key now holds 'claim:' .. token and expires with the lease),
-- 'in-progress' (another claim's lease is live) or 'done' (completed, not yet expired).
-- An expired claim or completion has left Redis with its TTL, so it is claimed afresh.
local held = redis.call('GET', KEYS[1])
if not held then
  redis.call('SET', KEYS[1], 'claim:' .. ARGV[1], 'PX', ARGV[2])
  return 'claimed'
end
if held == 'done' then
  return 'done'
end
return 'in-progress'
