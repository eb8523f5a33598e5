-- The state of a call in progress, so a restarted collector neither loses nor double-counts it.
-- KEYS: calls hash.  ARGV: linkedid, JSON.
return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
