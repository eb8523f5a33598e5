-- A call is over: its record is kept for the retention period, its live state goes.
-- KEYS: calls hash, record key, records index.  ARGV: linkedid, JSON, first join ms, retention s.
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return 1
