-- A caller entered a queue: offered once, waiting until answered or gone.
-- KEYS: queues set, offered window, waiting hash.  ARGV: queue, visit id, time ms.
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[2]) == 1 then
  -- Only a first join waits: the same join applied again (replay, retry) must not
  -- resurrect a caller who was answered meanwhile.
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
end
return 1
