-- Releases a claim, only if the key still holds this token's claim (docs/replay.md): a claim
-- whose lease ended and was taken over, or a completed id, is left alone.
-- KEYS[1]: the namespaced key; ARGV[1]: the claim token. Returns 1 if released, else 0.
if redis.call('GET', KEYS[1]) == 'claim:' .. ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
