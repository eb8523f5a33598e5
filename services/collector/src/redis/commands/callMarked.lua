-- A customer call broke a norm (guarantee breach, transfer limit): counted once per call.
-- KEYS: the norm's window, queues set.  ARGV: linkedid, time ms, queue.
redis.call('SADD', KEYS[2], ARGV[3])
return redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
