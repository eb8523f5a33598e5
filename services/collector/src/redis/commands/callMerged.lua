-- Two records were one call: the norms the merged-away one broke belong to the kept one.
-- KEYS: calls hash, queues set.
-- ARGV: gone linkedid, kept linkedid, then the key prefix (ending before the queue name) of
-- every per-call window, from the catalogue; a window's key is its prefix .. queue.
-- Every key built here carries the same {site} hash tag as KEYS, so one cluster slot holds it.
redis.call('HDEL', KEYS[1], ARGV[1])
for _, queue in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  for i = 3, #ARGV do
    local key = ARGV[i] .. queue
    local score = redis.call('ZSCORE', key, ARGV[1])
    if score then
      redis.call('ZREM', key, ARGV[1])
      redis.call('ZADD', key, 'NX', score, ARGV[2])
    end
  end
end
return 1
