-- An agent answered a queue visit.
-- KEYS: answered window, within-target window, waiting hash, agent's answered window, agent names.
-- ARGV: visit id, time ms, '1' when within target, agent name.
redis.call('HDEL', KEYS[3], ARGV[1])
if redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1]) == 1 then
  if ARGV[3] == '1' then redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1]) end
  redis.call('ZADD', KEYS[4], 'NX', ARGV[2], ARGV[1])
  redis.call('SADD', KEYS[5], ARGV[4])
end
return 1
