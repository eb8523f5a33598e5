-- An alert fired: the active entry, the stored alert, its index entry and (with a webhook)
-- its delivery land together, and only for the holder of the lease and only once per key.
-- KEYS: lease, active, log, index, deliveries, outbox.
-- ARGV: holder id, key, alert JSON, alert id, fired at (ms), delivery id ('' = no webhook),
--       delivery JSON, changes channel, keep alerts until after (ms: older ones are removed).
-- Returns 'ok', 'not_leader' or 'already'.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'not_leader' end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return 'already' end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[4])
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[5], ARGV[6], ARGV[7])
  redis.call('ZADD', KEYS[6], ARGV[5], ARGV[6])
end
-- Alerts older than the retention go, a few at a time (they are rare).
local old = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[9], 'LIMIT', 0, 100)
for _, id in ipairs(old) do
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
end
redis.call('PUBLISH', ARGV[8], 'alert')
return 'ok'
