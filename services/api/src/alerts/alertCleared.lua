-- An alert cleared: its active entry goes, the stored alert gets its clearing time, and
-- (with a webhook) the delivery is queued — together, only for the lease holder, only once.
-- KEYS: lease, active, log, deliveries, outbox.
-- ARGV: holder id, key, alert id, cleared alert JSON, cleared at (ms), delivery id ('' = no
--       webhook), delivery JSON, changes channel.
-- Returns 'ok', 'not_leader' or 'gone' (no such alert active: cleared already).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'not_leader' end
local active = redis.call('HGET', KEYS[2], ARGV[2])
if active == false or cjson.decode(active).id ~= ARGV[3] then return 'gone' end
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[6], ARGV[7])
  redis.call('ZADD', KEYS[5], ARGV[5], ARGV[6])
end
redis.call('PUBLISH', ARGV[8], 'alert')
return 'ok'
