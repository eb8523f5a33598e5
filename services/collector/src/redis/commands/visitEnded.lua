-- A queue visit ended unanswered: abandoned, short abandon, timed out or unknown.
-- KEYS: the outcome's window, waiting hash.  ARGV: visit id, time ms.
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
return 1
