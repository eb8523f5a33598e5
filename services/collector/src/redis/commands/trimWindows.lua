-- Drops window entries older than the longest window anyone may ask for.
-- KEYS: queues set, agent names.  ARGV: key base, cut-off ms.
local removed = 0
local metrics = {'offered', 'answered', 'within', 'abandoned', 'shortAbandoned', 'timedOut', 'unknown', 'breach', 'overLimit'}
for _, queue in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, metric in ipairs(metrics) do
    removed = removed + redis.call('ZREMRANGEBYSCORE', ARGV[1] .. 'w:' .. metric .. ':' .. queue, '-inf', '(' .. ARGV[2])
  end
end
for _, agent in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  for _, metric in ipairs({'answered', 'transfers'}) do
    removed = removed + redis.call('ZREMRANGEBYSCORE', ARGV[1] .. 'aw:' .. metric .. ':' .. agent, '-inf', '(' .. ARGV[2])
  end
end
return removed
